package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamae.bench.BenchReport;
import dev.streamae.bench.Check;
import dev.streamae.bench.Checks;
import dev.streamae.bench.Measure;
import dev.streamae.bench.TorchReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code streamae bench --quick}: the whole harness (embedded broker, offline DL4J,
 * trainer and scorer in child JVMs) on a tiny backlog, without PyTorch. It checks that the table
 * and the JSON file are produced, not the figures: those depend on the machine.
 */
class BenchCommandTest {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void quickRunPrintsTheTableAndWritesTheJsonWithThePreviousRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/results.json");
        CliRun run = CliRun.of("bench", "--quick", "--json", json.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("measure", "median", "offline training, DL4J", "trainer e2e", "scorer e2e",
                        "scorer latency p99 at 2,000 img/s", "trainer heap after GC", "scorer resident memory")
                .contains("check", "trainer e2e / PyTorch training, run by run", "not measured")
                .contains("PyTorch reference skipped")
                .contains("results written to");
        BenchReport report = BenchReport.fromJson(Files.readString(json));
        assertThat(report.previous()).isNull();
        assertThat(report.medians()).containsKeys(Checks.DL4J_TRAIN, Checks.DL4J_INFER, Checks.TRAINER_E2E,
                Checks.TRAINER_HEAP, Checks.TRAINER_RSS, Checks.SCORER_E2E, Checks.SCORER_FIXED_P50,
                Checks.SCORER_FIXED_P99, Checks.SCORER_HIGH_P99, Checks.SCORER_HEAP, Checks.SCORER_RSS);
        assertThat(report.measures()).allSatisfy(m -> assertThat(m.median()).as(m.key()).isPositive());
        assertThat(report.measures()).filteredOn(m -> m.unit().equals("img/s")).extracting(Measure::runs)
                .allSatisfy(runs -> assertThat(runs).hasSize(1));
        assertThat(report.settings()).containsEntry("repeats", "1").containsEntry("torch.threads", "skipped");
        assertThat(report.torchSetups()).isEmpty();
        assertThat(report.medians()).doesNotContainKeys(Checks.TRAINER_TORCH, Checks.SCORER_TORCH);
        assertThat(Files.readString(dir.resolve("out/trainer.log"))).isNotNull();

        // A second, smaller run keeps the first one's medians for comparison.
        CliRun second = CliRun.of("bench", "--quick", "--only", "offline", "--json", json.toString());
        assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("compared with the previous run of", "vs previous");
        BenchReport again = BenchReport.fromJson(Files.readString(json));
        assertThat(again.previous().medians()).containsKeys(Checks.TRAINER_E2E, Checks.SCORER_E2E);
    }

    /**
     * Smoke test of {@code streamae bench --models}: trainer runs over 1 and 2 models, in this JVM,
     * on a tiny backlog. It checks that each count gets its rows and the CPU target a verdict, not
     * the figures.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void modelsRunMeasuresEachModelCountAndJudgesTheCpuRatio(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("models.json");
        CliRun run = CliRun.of("bench", "--quick", "--models", "1,2", "--only", "trainer", "--in-process",
                "--images", "256", "--json", json.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("trainer round 1, 1 model: ").contains("trainer round 1, 2 models: ")
                .contains("trainer CPU per image, 2 models / 1").doesNotContain("offline training");
        BenchReport report = BenchReport.fromJson(Files.readString(json));
        assertThat(report.settings()).containsEntry("models", "1,2");
        assertThat(report.medians()).containsOnlyKeys("models.trainer.1.e2e", "models.trainer.2.e2e", "models.trainer.1.cpu",
                "models.trainer.2.cpu", "models.trainer.1.heap", "models.trainer.2.heap");
        assertThat(report.measures()).allSatisfy(m -> assertThat(m.median()).as(m.key()).isPositive());
        assertThat(report.checks()).filteredOn(c -> c.name().equals("trainer CPU per image, 2 models / 1")).singleElement()
                .satisfies(c -> assertThat(c.status()).isIn(Check.Status.PASS, Check.Status.FAIL));
    }

    /**
     * The trainer in its child JVM with the PyTorch reference that JVM starts, measured warm before
     * its first measured run and after each; skipped where no python3 imports torch.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theTrainerIsComparedWithPyTorchMeasuredAroundEachOfItsRuns(@TempDir Path dir) throws Exception {
        assumeTrue(TorchReference.find(List.of("python3", "/usr/bin/python3"), dir.resolve("probe")) != null,
                "needs a python3 that imports torch and numpy (Debian: python3-torch)");
        Path json = dir.resolve("results.json");
        CliRun run = CliRun.of("bench", "--only", "trainer", "--images", "1280", "--repeats", "2", "--warmup-runs", "1",
                "--epochs", "1", "--torch-threads", "1", "--json", json.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("PyTorch reference, 1 thread(s), warmed up (1 epoch at")
                .contains("trainer before run 1: PyTorch training, 1 thread(s)")
                .contains("trainer after run 2: PyTorch training, 1 thread(s)")
                .contains("PyTorch reference: torch ");
        BenchReport report = BenchReport.fromJson(Files.readString(json));
        assertThat(report.measures()).filteredOn(m -> m.key().equals(Checks.TRAINER_TORCH)).singleElement()
                .satisfies(m -> assertThat(m.runs()).hasSize(3).allSatisfy(r -> assertThat(r).isPositive()));
        assertThat(report.measures()).filteredOn(m -> m.key().equals(Checks.TRAINER_PAIRS)).singleElement()
                .satisfies(m -> assertThat(m.runs()).hasSize(2).allSatisfy(r -> assertThat(r).isPositive()));
        assertThat(report.torchSetups()).hasSize(1);
        Check target = report.checks().stream().filter(c -> c.name().equals("trainer e2e / PyTorch training, run by run"))
                .findFirst().orElseThrow();
        if (report.torchSetups().get(0).kernelForced()) {
            assertThat(target.status()).isEqualTo(Check.Status.NO_VERDICT);
            assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("OPENBLAS_CORETYPE"));
        } else {
            assertThat(target.status()).isIn(Check.Status.PASS, Check.Status.FAIL);
        }
    }
}
