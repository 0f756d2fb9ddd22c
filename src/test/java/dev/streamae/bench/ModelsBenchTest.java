package dev.streamae.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code bench --models}: its plan, the order of its runs, its targets and its table, without running an app. */
class ModelsBenchTest {

    private static final List<Integer> COUNTS = List.of(1, 4, 32);

    private static Map<String, Double> medians(double trainerCpu32, double scorerCpu32) {
        Map<String, Double> m = new HashMap<>();
        m.put(ModelsBench.cpuKey("trainer", 1), 100.0);
        m.put(ModelsBench.cpuKey("trainer", 4), 104.0);
        m.put(ModelsBench.cpuKey("trainer", 32), trainerCpu32);
        m.put(ModelsBench.rateKey("trainer", 1), 30_000.0);
        m.put(ModelsBench.rateKey("trainer", 32), 24_000.0);
        m.put(ModelsBench.heapKey("trainer", 1), 150.0);
        m.put(ModelsBench.heapKey("trainer", 32), 252.3);
        m.put(ModelsBench.cpuKey("scorer", 1), 40.0);
        m.put(ModelsBench.cpuKey("scorer", 32), scorerCpu32);
        return m;
    }

    private static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
                "no check '" + name + "' in " + checks.stream().map(Check::name).toList()));
    }

    @Test
    void cpuPerImageWithTheMostModelsIsTheTargetAndTheHeapPerModelIsTheSlope() {
        List<Check> checks = Checks.models(medians(115.0, 48.0), COUNTS);

        assertThat(check(checks, "trainer CPU per image, 32 models / 1"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(1.15, within(1e-9)))
                .satisfies(c -> assertThat(c.limit()).isEqualTo(1.2))
                .extracting(Check::status).isEqualTo(Check.Status.PASS);
        assertThat(check(checks, "scorer CPU per image, 32 models / 1"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(1.2, within(1e-9)))
                .satisfies(c -> assertThat(c.limit()).isEqualTo(1.1))
                .extracting(Check::status).isEqualTo(Check.Status.FAIL);
        assertThat(check(checks, "trainer CPU per image, 4 models / 1"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(1.04, within(1e-9)))
                .extracting(Check::status).as("only the most models' ratio is a target").isEqualTo(Check.Status.INFO);
        assertThat(check(checks, "trainer e2e img/s, 32 models / 1").value()).isCloseTo(0.8, within(1e-9));
        assertThat(check(checks, "trainer heap per model, (32 models - 1) / 31"))
                .satisfies(c -> assertThat(c.value()).isCloseTo(3.3, within(1e-9)))
                .satisfies(c -> assertThat(c.unit()).isEqualTo("MB"));
        assertThat(check(checks, "scorer heap per model, (32 models - 1) / 31").status()).as("scorer heaps not measured")
                .isEqualTo(Check.Status.SKIPPED);
        assertThat(check(checks, "scorer CPU per image, 4 models / 1").status()).isEqualTo(Check.Status.SKIPPED);
    }

    @Test
    void aTrainerOverItsLimitFails() {
        assertThat(check(Checks.models(medians(121.0, 44.0), COUNTS), "trainer CPU per image, 32 models / 1").status())
                .isEqualTo(Check.Status.FAIL);
        assertThat(check(Checks.models(medians(121.0, 44.0), COUNTS), "scorer CPU per image, 32 models / 1").status())
                .isEqualTo(Check.Status.PASS);
    }

    @Test
    void theTableShowsTheTargetsWithTheirVerdicts() {
        List<Check> checks = Checks.models(medians(115.0, 48.0), COUNTS);
        BenchReport report = new BenchReport(BenchReport.FORMAT, "2026-12-05T00:00:00Z",
                new BenchReport.Machine(2, 1.0, 1.0, "java", "linux"), Map.of("models", "1,4,32"),
                List.of(Measure.of(ModelsBench.cpuKey("trainer", 1), "trainer CPU per image, 1 models", "us", false,
                        List.of(100.0))), checks, List.of(), List.of(), null);

        String table = ReportTable.render(report);

        assertThat(table).containsPattern("trainer CPU per image, 32 models / 1 +1\\.15x +<= 1\\.20x +pass")
                .containsPattern("scorer CPU per image, 32 models / 1 +1\\.20x +<= 1\\.10x +FAIL")
                .containsPattern("trainer heap per model, \\(32 models - 1\\) / 31 +3\\.3 MB")
                .contains("settings: models=1,4,32");
    }

    @Test
    void roundsRotateTheOrderSoNoCountAlwaysComesFirst() {
        assertThat(ModelsBench.roundOrder(COUNTS, 1)).containsExactly(1, 4, 32);
        assertThat(ModelsBench.roundOrder(COUNTS, 2)).containsExactly(4, 32, 1);
        assertThat(ModelsBench.roundOrder(COUNTS, 3)).containsExactly(32, 1, 4);
        assertThat(ModelsBench.roundOrder(COUNTS, 4)).containsExactly(1, 4, 32);
    }

    @Test
    void backlogsHoldWholeBatchesOfEveryModelInEveryCount() {
        assertThat(BenchPlan.backlogMultiple(64, List.of())).isEqualTo(64);
        assertThat(BenchPlan.backlogMultiple(64, COUNTS)).isEqualTo(64 * 32);
        assertThat(BenchPlan.backlogMultiple(64, List.of(1, 3, 10))).isEqualTo(64 * 30);
    }

    @Test
    void thePlanNeedsAscendingCountsAndOnlyTheApps() {
        assertThat(plan(EnumSet.of(BenchPlan.Part.TRAINER), COUNTS).describe()).containsEntry("models", "1,4,32");
        assertThat(plan(EnumSet.allOf(BenchPlan.Part.class), List.of()).comparesModels()).isFalse();
        assertThatThrownBy(() -> plan(EnumSet.of(BenchPlan.Part.TRAINER), List.of(4, 1))).hasMessageContaining("ascend");
        assertThatThrownBy(() -> plan(EnumSet.of(BenchPlan.Part.TRAINER), List.of(4, 4))).hasMessageContaining("ascend");
        assertThatThrownBy(() -> plan(EnumSet.of(BenchPlan.Part.TRAINER), List.of(32))).hasMessageContaining("two");
        assertThatThrownBy(() -> plan(EnumSet.of(BenchPlan.Part.TRAINER), List.of(0, 4))).hasMessageContaining("positive");
        assertThatThrownBy(() -> plan(EnumSet.of(BenchPlan.Part.OFFLINE, BenchPlan.Part.TRAINER), COUNTS))
                .hasMessageContaining("only them");
    }

    private static BenchPlan plan(Set<BenchPlan.Part> parts, List<Integer> counts) {
        return new BenchPlan(parts, 3, 0, 1, 2048, 2000, 10, 3, List.of(), List.of(), true, "1g", Map.of(), Path.of("x"),
                false, counts);
    }
}
