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
        medians.put(Checks.TORCH_TRAIN, 20_000.0);
        medians.put(Checks.TRAINER_E2E, 10_000.0);
        medians.put(Checks.TORCH_INFER, 100_000.0);
        medians.put(Checks.SCORER_E2E, 60_000.0);
        medians.put(Checks.SCORER_FIXED_P99, 50.0);
        medians.put(Checks.TRAINER_HEAP, 600.0);
        List<Check> checks = Checks.evaluate(medians, 2000);

        assertThat(check(checks, "trainer e2e / PyTorch offline training"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(0.5, within(1e-9)))
                .extracting(Check::status).isEqualTo(Check.Status.FAIL);
        assertThat(check(checks, "scorer e2e / PyTorch batch inference").status()).isEqualTo(Check.Status.PASS);
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
                .contains("trainer e2e / PyTorch offline training", "not measured")
                .contains("compared with the previous run of 2026-01-01T00:00:00Z")
                .contains("note: a note");
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
    void theTorchSummaryLineIsParsedAndTheBacklogOffsetsSurviveTheCommandLine() {
        assertThat(TorchReference.parseSummary("train_img_per_s=18000 infer_img_per_s=95000 blas=/usr/lib/libblas.so.3"))
                .containsEntry("train_img_per_s", "18000").containsEntry("infer_img_per_s", "95000")
                .containsEntry("blas", "/usr/lib/libblas.so.3");
        assertThat(TorchReference.parseSummary("epoch 1: 19942 img/s")).isEmpty();
        BenchKafka.Backlog backlog = new BenchKafka.Backlog(Map.of(0, 5L, 1, 0L, 5, 1234L), 64, "p-");
        assertThat(BenchKafka.Backlog.decodeStart(backlog.encodeStart())).isEqualTo(backlog.start());
        assertThatThrownBy(() -> BenchKafka.Backlog.decodeStart("0:5")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static BenchReport report(String startedAt, double trainer, double p99) {
        List<Measure> measures = List.of(
                Measure.rate(Checks.TRAINER_E2E, "trainer e2e", List.of(trainer - 1000, trainer, trainer + 1000)),
                Measure.millis(Checks.SCORER_FIXED_P99, "scorer latency p99", List.of(p99)));
        Map<String, Double> medians = new HashMap<>();
        measures.forEach(m -> medians.put(m.key(), m.median()));
        return new BenchReport(BenchReport.FORMAT, startedAt, new BenchReport.Machine(2, 1.5, 2.5, "java", "linux"),
                Map.of("repeats", "3"), measures, Checks.evaluate(medians, 2000), List.of("a note"), null);
    }
}
