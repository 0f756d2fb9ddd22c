package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An operator accepts a new normal under {@code hold} by restarting the trainer with
 * {@code adapt}: the held state restored under {@code adapt} must let go of the hold, and the
 * detector, fed again, must confirm the change and re-fit. Seeded synthetic errors: normal ones
 * log-normal around 0.01, after the change around 0.05.
 */
class DriftPolicySwitchTest {

    private static final int BATCH = 64;

    private static AlertCalibrator.Settings settings(DriftPolicy policy) {
        return new AlertCalibrator.Settings(0.01, 5_000, 20, 500, true, 1, policy);
    }

    private static double[] batch(SplittableRandom r, double median) {
        double[] errors = new double[BATCH];
        for (int i = 0; i < BATCH; i++) {
            errors[i] = median * Math.exp(0.3 * r.nextGaussian());
        }
        return errors;
    }

    @Test
    void aHeldStateRestoredUnderAdaptResumesThenConfirmsAndRefits() {
        SplittableRandom r = new SplittableRandom(3);
        AlertCalibrator held = new AlertCalibrator(settings(DriftPolicy.HOLD));
        List<DriftEvent.Type> seen = new ArrayList<>();
        long batch = 0;
        for (; batch < 100; batch++) {
            held.fold(batch, AlertCalibrator.BatchErrors.of(batch(r, 0.01)), (batch + 1) * BATCH).events()
                    .forEach(e -> seen.add(e.type()));
        }
        for (; batch < 130; batch++) {
            held.fold(batch, AlertCalibrator.BatchErrors.of(batch(r, 0.05)), (batch + 1) * BATCH).events()
                    .forEach(e -> seen.add(e.type()));
        }
        assertThat(seen).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED, DriftEvent.Type.LEARNING_HELD,
                DriftEvent.Type.DRIFT_CONFIRMED);
        assertThat(held.skipAbove(batch + 1)).as("held: nothing of the stream is learnt").isEqualTo(Double.NEGATIVE_INFINITY);

        AlertCalibrator adapt = AlertCalibrator.fromBytes(held.toBytes(), settings(DriftPolicy.ADAPT));
        List<DriftEvent.Type> after = new ArrayList<>();
        long restartedAt = batch;
        for (; batch < restartedAt + 40; batch++) {
            adapt.fold(batch, AlertCalibrator.BatchErrors.of(batch(r, 0.05)), (batch + 1) * BATCH).events()
                    .forEach(e -> after.add(e.type()));
            if (batch == restartedAt + 2) {
                assertThat(adapt.held(batch + 1)).as("no longer held once the lag has passed").isFalse();
            }
        }
        assertThat(after).containsExactly(DriftEvent.Type.LEARNING_RESUMED, DriftEvent.Type.DRIFT_SUSPECTED,
                DriftEvent.Type.DRIFT_CONFIRMED, DriftEvent.Type.RECALIBRATED);
        assertThat(adapt.flagAbove(batch + 2)).as("the re-fitted threshold lies above the new normal's errors")
                .isGreaterThan(0.05);
    }
}
