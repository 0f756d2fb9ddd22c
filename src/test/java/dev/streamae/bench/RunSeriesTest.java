package dev.streamae.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The order of an app's runs and the reference's measurements around them, and the rows made of them. */
class RunSeriesTest {

    private final List<String> events = new ArrayList<>();
    private final AtomicLong jitMs = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();

    /** Runs of 4 s each, compiling for the given times (ms) and reaching the given rates. */
    private RunSeries.Run runs(long[] compileMs, double... rates) {
        Iterator<Double> rate = java.util.Arrays.stream(rates).boxed().iterator();
        AtomicLong n = new AtomicLong();
        return () -> {
            int i = (int) n.getAndIncrement();
            jitMs.addAndGet(i < compileMs.length ? compileMs[i] : 0);
            nanos.addAndGet(4_000_000_000L);
            events.add("app");
            return new RunSeries.Result(rate.next(), 30.0, "a run");
        };
    }

    private RunSeries.Reference reference(double... rates) {
        Iterator<Double> rate = java.util.Arrays.stream(rates).boxed().iterator();
        return new RunSeries.Reference() {
            @Override
            public double measure(String moment) {
                events.add("torch " + moment);
                nanos.addAndGet(1_000_000_000L);
                return rate.next();
            }

            @Override
            public String label() {
                return "PyTorch training beside the trainer runs";
            }

            @Override
            public List<Measure> details(String keyPrefix) {
                return List.of(Measure.rate(keyPrefix + ".t1", "  1 thread", List.of(1.0)));
            }
        };
    }

    @Test
    void theReferenceIsMeasuredBeforeTheFirstMeasuredRunAndAfterEachNotBesideTheWarmUp() throws Exception {
        List<String> progress = new ArrayList<>();
        RunSeries series = new RunSeries("trainer", 3, new WarmUp(8, jitMs::get, nanos::get), progress::add,
                reference(30_000, 29_000, 31_000, 30_000))
                .runAll(runs(new long[] {4_000, 2_000, 500}, 10_000, 20_000, 25_000, 38_000, 36_000, 40_000));

        assertThat(events).containsExactly("app", "app", "app", "torch before run 1", "app", "torch after run 1", "app",
                "torch after run 2", "app", "torch after run 3");
        assertThat(progress).hasSize(6).first().asString().startsWith("trainer warm-up run 1: a run");
        Map<String, Measure> rows = series.measures("trainer e2e", true).stream()
                .collect(Collectors.toMap(Measure::key, m -> m));
        assertThat(rows.get(Checks.TRAINER_E2E).runs()).as("warm-up runs are not measured")
                .containsExactly(38_000.0, 36_000.0, 40_000.0);
        assertThat(rows.get("trainer.warmup.runs").median()).isEqualTo(3.0);
        assertThat(rows.get(Checks.TRAINER_TORCH).runs()).containsExactly(30_000.0, 29_000.0, 31_000.0, 30_000.0);
        assertThat(rows.get(Checks.TRAINER_TORCH).label()).startsWith("PyTorch training beside the trainer runs");
        assertThat(rows).containsKey(Checks.TRAINER_TORCH + ".t1");
        List<Double> pairs = rows.get(Checks.TRAINER_PAIRS).runs();
        assertThat(pairs).hasSize(3);
        assertThat(pairs.get(0)).isCloseTo(38_000 / 29_500.0, within(1e-9));
        assertThat(pairs.get(1)).isCloseTo(36_000 / 30_000.0, within(1e-9));
        assertThat(pairs.get(2)).isCloseTo(40_000 / 30_500.0, within(1e-9));
        assertThat(rows.get(Checks.TRAINER_PAIRS).median()).isCloseTo(38_000 / 29_500.0, within(1e-9));
        assertThat(rows.get(Checks.TRAINER_PAIRS).unit()).isEqualTo("x");
    }

    @Test
    void withoutWarmUpTheReferenceStillOpensTheSeries() throws Exception {
        new RunSeries("scorer", 2, new WarmUp(0, jitMs::get, nanos::get), line -> { }, reference(1, 2, 3))
                .runAll(runs(new long[0], 5, 6));
        assertThat(events).containsExactly("torch before run 1", "app", "torch after run 1", "app", "torch after run 2");
    }

    @Test
    void withoutAReferenceOnlyTheAppRunsAndNoReferenceRowsAreMade() throws Exception {
        RunSeries series = new RunSeries("scorer", 2, new WarmUp(1, jitMs::get, nanos::get), line -> { }, null)
                .runAll(runs(new long[] {4_000}, 5, 6, 7));
        assertThat(events).containsExactly("app", "app", "app");
        assertThat(series.measures("scorer e2e", true)).extracting(Measure::key)
                .containsExactly(Checks.SCORER_E2E, Checks.SCORER_CPU, "scorer.warmup.runs", "scorer.jit");
        assertThat(series.medianRate()).isEqualTo(6.5);
    }

    @Test
    void eachRunNeedsAReferenceOnBothSides() {
        assertThat(RunSeries.pairRatios(List.of(2.0), List.of(1.0, 3.0))).containsExactly(1.0);
        assertThatThrownBy(() -> RunSeries.pairRatios(List.of(2.0, 2.0), List.of(1.0, 3.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 reference measurements");
    }
}
