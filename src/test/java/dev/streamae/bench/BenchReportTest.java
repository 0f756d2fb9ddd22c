package dev.streamae.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's pure parts: statistics, targets, the results file and the table. */
class BenchReportTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Stats.median(List.of(7.0))).isEqualTo(7.0);
        assertThat(Stats.median(List.of())).isNaN();
    }

    @Test
    void percentilesAreNearestRank() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i;  // 100 .. 1, unsorted on purpose
        }
        assertThat(Stats.percentile(values, 0.50)).isEqualTo(50);
        assertThat(Stats.percentile(values, 0.99)).isEqualTo(99);
        assertThat(Stats.percentile(values, 1.0)).isEqualTo(100);
        assertThat(Stats.percentile(new long[] {5}, 0.99)).isEqualTo(5);
        assertThat(Stats.percentile(new long[] {1, 2, 3}, 0.5)).isEqualTo(2);
        assertThat(values[0]).as("the input is not sorted in place").isEqualTo(100);
        assertThatThrownBy(() -> Stats.percentile(new long[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(values, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetsPassFailOrAreSkippedWhenAMeasureIsMissing() {
        Map<String, Double> medians = new HashMap<>();
        medians.put(Checks.TRAINER_PAIRS, 0.5);
        medians.put(Checks.TRAINER_E2E, 10_000.0);
        medians.put(Checks.TRAINER_TORCH, 25_000.0);
        medians.put(Checks.SCORER_PAIRS, 0.6);
        medians.put(Checks.SCORER_FIXED_P99, 50.0);
        medians.put(Checks.TRAINER_HEAP, 600.0);
        List<Check> checks = Checks.evaluate(medians, 2000, false);

        assertThat(check(checks, "trainer e2e / PyTorch training, run by run"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(0.5, within(1e-9)))
                .extracting(Check::status).isEqualTo(Check.Status.FAIL);
        assertThat(check(checks, "trainer e2e / PyTorch training, ratio of the medians"))
                .satisfies(c -> assertThat(c.value()).as("not the run-by-run median").isCloseTo(0.4, within(1e-9)))
                .extracting(Check::status).isEqualTo(Check.Status.INFO);
        assertThat(check(checks, "scorer e2e / PyTorch batch inference, run by run").status()).isEqualTo(Check.Status.PASS);
        assertThat(check(checks, "scorer e2e / PyTorch batch inference, ratio of the medians").status())
                .isEqualTo(Check.Status.SKIPPED);
        assertThat(check(checks, "scorer p99 latency at 2,000 img/s").status()).as("the limit itself passes")
                .isEqualTo(Check.Status.PASS);
        assertThat(check(checks, "trainer heap after GC (-Xmx512m)").status()).isEqualTo(Check.Status.FAIL);
        assertThat(check(checks, "scorer heap after GC (-Xmx512m)"))
                .satisfies(c -> assertThat(c.value()).isNull())
                .extracting(Check::status).isEqualTo(Check.Status.SKIPPED);
        assertThat(check(checks, "DL4J / PyTorch offline training").status()).isEqualTo(Check.Status.SKIPPED);
        assertThat(checks.stream().filter(Check::isTarget)).hasSize(5);
    }

    @Test
    void aForcedOpenBlasKernelLeavesTheTargetsAgainstPyTorchWithoutAVerdict() {
        Map<String, Double> medians = Map.of(Checks.TRAINER_PAIRS, 1.28, Checks.SCORER_PAIRS, 0.3,
                Checks.SCORER_FIXED_P99, 30.0);
        List<Check> checks = Checks.evaluate(medians, 2000, true);

        assertThat(check(checks, "trainer e2e / PyTorch training, run by run"))
                .satisfies(c -> assertThat(c.value()).as("the ratio is still shown").isEqualTo(1.28))
                .extracting(Check::status).isEqualTo(Check.Status.NO_VERDICT);
        assertThat(check(checks, "scorer e2e / PyTorch batch inference, run by run").status())
                .as("a failure is no verdict either").isEqualTo(Check.Status.NO_VERDICT);
        assertThat(check(checks, "scorer p99 latency at 2,000 img/s").status()).as("targets not against PyTorch keep theirs")
                .isEqualTo(Check.Status.PASS);
        assertThat(check(Checks.evaluate(Map.of(), 2000, true), "trainer e2e / PyTorch training, run by run").status())
                .as("not measured stays not measured").isEqualTo(Check.Status.SKIPPED);
    }

    @Test
    void aKernelIsForcedOnlyWhenTheEnvironmentNamesAnotherThanOpenBlasPicks() {
        TorchSetup forced = setup("Haswell", "Haswell", "Cooperlake");
        assertThat(forced.kernelForced()).isTrue();
        assertThat(forced.describe()).contains("OpenBLAS 0.3.21", "kernel Haswell FORCED by OPENBLAS_CORETYPE=Haswell",
                "own pick on this CPU: Cooperlake", "torch 1.13.0", "AVX2");
        assertThat(setup("Cooperlake", null, "Cooperlake").kernelForced()).isFalse();
        assertThat(setup("Cooperlake", null, "Cooperlake").describe()).contains("kernel Cooperlake (OpenBLAS's own pick; "
                + "OPENBLAS_CORETYPE not set)");
        assertThat(setup("SkylakeX", "SKYLAKEX", "SkylakeX").kernelForced()).as("named as OpenBLAS would pick it").isFalse();
        assertThat(setup("Haswell", "Haswell", null).kernelForced()).as("its own pick unknown").isTrue();
        TorchSetup reference = new TorchSetup("1.13.0", "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", null, null, "Haswell",
                null, "AVX2");
        assertThat(reference.kernelForced()).as("not OpenBLAS: no kernel to force").isFalse();
        assertThat(reference.describe()).contains("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", "not OpenBLAS");
        assertThat(BenchRunner.torchNotes(List.of(reference))).singleElement().asString()
                .contains("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3, not OpenBLAS", "compare runs with the same BLAS");

        assertThat(BenchRunner.torchNotes(List.of(setup("Cooperlake", null, "Cooperlake")))).isEmpty();
        assertThat(BenchRunner.torchNotes(List.of(setup("Cooperlake", null, "Cooperlake"), forced)))
                .anySatisfy(n -> assertThat(n).contains("2 different setups"))
                .anySatisfy(n -> assertThat(n).contains("forced by OPENBLAS_CORETYPE=Haswell", "picks Cooperlake",
                        "no verdict", "env -u OPENBLAS_CORETYPE"));
    }

    @Test
    void ratioNeedsAPositiveDenominator() {
        assertThat(Checks.ratio(Map.of("a", 1.0, "b", 0.0), "a", "b")).isNull();
        assertThat(Checks.ratio(Map.of("a", 1.0), "a", "b")).isNull();
        assertThat(Checks.ratio(Map.of("a", 3.0, "b", 2.0), "a", "b")).isEqualTo(1.5);
    }

    @Test
    void resultsRoundTripThroughJsonAndCompareWithThePreviousRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bench/results.json");
        assertThat(BenchReport.readIfPresent(file)).isNull();
        BenchReport first = report("2026-01-01T00:00:00Z", 10_000, 40);
        first.write(file);

        BenchReport read = BenchReport.readIfPresent(file);
        assertThat(read).isEqualTo(first);
        assertThat(read.medians()).containsEntry(Checks.TRAINER_E2E, 10_000.0).containsEntry(Checks.SCORER_FIXED_P99, 40.0);

        BenchReport second = report("2026-01-02T00:00:00Z", 12_000, 60).comparedWith(read);
        assertThat(second.previous().startedAt()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(second.delta(second.measures().get(0))).isCloseTo(0.2, within(1e-9));
        assertThat(second.delta(second.measures().get(1))).isCloseTo(0.5, within(1e-9));
        second.write(file);
        BenchReport again = BenchReport.fromJson(Files.readString(file));
        assertThat(again.previous().medians()).containsEntry(Checks.TRAINER_E2E, 10_000.0);
        assertThat(again.comparedWith(null).previous()).isNull();
    }

    @Test
    void anUnreadableResultsFileIsTreatedAsAbsent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.json");
        Files.writeString(file, "{ not json");
        assertThat(BenchReport.readIfPresent(file)).isNull();
        assertThatThrownBy(() -> BenchReport.fromJson("[]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTableShowsMediansRunsDeltasAndVerdicts() {
        BenchReport report = report("2026-01-02T00:00:00Z", 12_000, 60)
                .comparedWith(report("2026-01-01T00:00:00Z", 10_000, 40));
        String table = ReportTable.render(report);
        assertThat(table)
                .contains("trainer e2e", "12,000 img/s", "11,000 / 12,000 / 13,000", "+20.0%")
                .contains("scorer latency p99", "60 ms", "+50.0% (worse)")
                .contains("scorer p99 latency at 2,000 img/s", "<= 50 ms", "FAIL")
                .contains("trainer e2e / PyTorch training, run by run", "not measured")
                .contains("compared with the previous run of 2026-01-01T00:00:00Z")
                .contains("note: a note")
                .doesNotContain("PyTorch reference:");
    }

    @Test
    void theTableShowsThePyTorchSetupTheRunByRunRatiosAndNoVerdict() {
        List<Measure> measures = List.of(
                Measure.rate(Checks.TRAINER_E2E, "trainer e2e", List.of(38_000.0, 36_000.0)),
                Measure.rate(Checks.TRAINER_TORCH, "PyTorch training beside the trainer runs",
                        List.of(30_000.0, 29_000.0, 31_000.0)),
                Measure.of(Checks.TRAINER_PAIRS, "trainer e2e / PyTorch, run by run", "x", true,
                        RunSeries.pairRatios(List.of(38_000.0, 36_000.0), List.of(30_000.0, 29_000.0, 31_000.0))));
        Map<String, Double> medians = new HashMap<>();
        measures.forEach(m -> medians.put(m.key(), m.median()));
        BenchReport report = new BenchReport(BenchReport.FORMAT, "2026-01-03T00:00:00Z",
                new BenchReport.Machine(2, 1.5, 2.5, "java", "linux"), Map.of(), measures,
                Checks.evaluate(medians, 2000, true), List.of(), List.of(setup("Haswell", "Haswell", "Cooperlake")), null);
        String table = ReportTable.render(report);
        assertThat(table)
                .contains("PyTorch reference: torch 1.13.0", "kernel Haswell FORCED by OPENBLAS_CORETYPE=Haswell")
                .contains("30,000 / 29,000 / 31,000")
                .contains("1.29x / 1.20x", "1.24x")  // 38,000 / 29,500 and 36,000 / 30,000; their median
                .contains("trainer e2e / PyTorch training, ratio of the medians", "1.23x")  // 37,000 / 30,000
                .contains("no verdict (see the notes)");
        assertThat(BenchReport.fromJson(report.toJson()).torchSetups()).containsExactly(setup("Haswell", "Haswell", "Cooperlake"));
    }

    @Test
    void wholeNumbersHaveNoDecimalsAndSmallFractionsOne() {
        assertThat(ReportTable.number(4)).isEqualTo("4");
        assertThat(ReportTable.number(7.24)).isEqualTo("7.2");
        assertThat(ReportTable.number(34_586.4)).isEqualTo("34,586");
        assertThat(ReportTable.number(Double.NaN)).isEqualTo("-");
    }

    @Test
    void vmRssIsReadFromProcStatus() {
        assertThat(MemorySampler.parseVmRss(List.of("Name:\tjava", "VmRSS:\t  123456 kB", "Threads: 9")))
                .isEqualTo(123456L * 1024);
        assertThat(MemorySampler.parseVmRss(List.of("Name:\tjava"))).isZero();
    }

    @Test
    void theBacklogOffsetsSurviveTheCommandLine() {
        BenchKafka.Backlog backlog = new BenchKafka.Backlog(Map.of(0, 5L, 1, 0L, 5, 1234L), 64, "p-");
        assertThat(BenchKafka.Backlog.decodeStart(backlog.encodeStart())).isEqualTo(backlog.start());
        assertThatThrownBy(() -> BenchKafka.Backlog.decodeStart("0:5")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static TorchSetup setup(String core, String coretypeEnv, String ownCore) {
        return new TorchSetup("1.13.0", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY " + core + " MAX_THREADS=64", core, coretypeEnv, ownCore,
                "AVX2");
    }

    private static BenchReport report(String startedAt, double trainer, double p99) {
        List<Measure> measures = List.of(
                Measure.rate(Checks.TRAINER_E2E, "trainer e2e", List.of(trainer - 1000, trainer, trainer + 1000)),
                Measure.millis(Checks.SCORER_FIXED_P99, "scorer latency p99", List.of(p99)));
        Map<String, Double> medians = new HashMap<>();
        measures.forEach(m -> medians.put(m.key(), m.median()));
        return new BenchReport(BenchReport.FORMAT, startedAt, new BenchReport.Machine(2, 1.5, 2.5, "java", "linux"),
                Map.of("repeats", "3"), measures, Checks.evaluate(medians, 2000, false), List.of("a note"), List.of(), null);
    }
}
