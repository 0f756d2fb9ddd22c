package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.bench.BenchReport;
import dev.streamae.bench.Checks;
import dev.streamae.bench.Measure;
import java.nio.file.Files;
import java.nio.file.Path;
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
                .contains("check", "trainer e2e / PyTorch offline training", "not measured")
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
        assertThat(Files.readString(dir.resolve("out/trainer.log"))).isNotNull();

        // A second, smaller run keeps the first one's medians for comparison.
        CliRun second = CliRun.of("bench", "--quick", "--only", "offline", "--json", json.toString());
        assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("compared with the previous run of", "vs previous");
        BenchReport again = BenchReport.fromJson(Files.readString(json));
        assertThat(again.previous().medians()).containsKeys(Checks.TRAINER_E2E, Checks.SCORER_E2E);
    }
}
