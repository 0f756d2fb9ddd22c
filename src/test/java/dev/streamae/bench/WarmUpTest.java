package dev.streamae.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    private final AtomicLong jitMs = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();

    /** One run of 4 s during which the compilers worked {@code compileMs}. */
    private double run(WarmUp warmUp, long compileMs) {
        warmUp.start();
        jitMs.addAndGet(compileMs);
        nanos.addAndGet(4_000_000_000L);
        return warmUp.finish();
    }

    @Test
    void warmsUpUntilTheCompilersSettleThenMeasures() {
        WarmUp warmUp = new WarmUp(8, jitMs::get, nanos::get);
        assertThat(warmUp.nextRunName(1)).isEqualTo("warm-up run 1");
        assertThat(run(warmUp, 4_100)).isCloseTo(1.025, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(run(warmUp, 2_800)).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(warmUp.done()).isFalse();
        assertThat(warmUp.nextRunName(1)).isEqualTo("warm-up run 3");
        run(warmUp, 1_000);  // exactly a quarter: settled
        assertThat(warmUp.done()).isTrue();
        assertThat(warmUp.runs()).isEqualTo(3);
        assertThat(warmUp.nextRunName(1)).isEqualTo("run 1");
        run(warmUp, 3_000);  // measured runs do not reopen the warm-up
        assertThat(warmUp.done()).isTrue();
        assertThat(warmUp.runs()).isEqualTo(3);
    }

    @Test
    void stopsAtTheMostRunsEvenIfTheCompilersNeverSettle() {
        WarmUp warmUp = new WarmUp(2, jitMs::get, nanos::get);
        run(warmUp, 3_000);
        assertThat(warmUp.done()).isFalse();
        run(warmUp, 3_000);
        assertThat(warmUp.done()).isTrue();
        assertThat(warmUp.runs()).isEqualTo(2);
        assertThat(warmUp.runsMeasure("k", "scorer").median()).isEqualTo(2.0);
    }

    @Test
    void withoutCompileTimesOnlyTheMostRunsEndTheWarmUp() {
        WarmUp warmUp = new WarmUp(3, () -> -1, nanos::get);
        assertThat(run(warmUp, 0)).isNaN();
        assertThat(run(warmUp, 0)).isNaN();
        assertThat(warmUp.done()).isFalse();
        run(warmUp, 0);
        assertThat(warmUp.done()).isTrue();
    }

    @Test
    void noWarmUpRunsMeansMeasureAtOnce() {
        WarmUp warmUp = new WarmUp(0, jitMs::get, nanos::get);
        assertThat(warmUp.done()).isTrue();
        assertThat(warmUp.nextRunName(1)).isEqualTo("run 1");
    }
}
