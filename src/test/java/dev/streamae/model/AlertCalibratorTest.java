package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AlertCalibratorTest {

    /** Rate 1%, window 1,000, a calibration every 5 batches, warm-up 400 examples, skipping, lag 1. */
    private static final AlertCalibrator.Settings SETTINGS = new AlertCalibrator.Settings(0.01, 1_000, 5, 400, true, 1);

    /** A batch of 50 errors: normal around 0.1, every 25th an anomaly at 1.0. */
    private static double[] batch(long b) {
        SplittableRandom r = new SplittableRandom(b);
        double[] errors = new double[50];
        for (int i = 0; i < errors.length; i++) {
            errors[i] = i % 25 == 24 ? 1.0 : 0.1 + 0.02 * r.nextGaussian();
        }
        return errors;
    }

    private static long learnt(long batches) {
        return batches * 50;
    }

    @Test
    void judgesNothingBeforeItsFirstWarmCalibrationAndFromThenOnByBatchNumberWithTheLag() {
        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 7; b++) {
            assertThat(c.flagAbove(b)).isInfinite();
            assertThat(c.fold(b, batch(b), learnt(b + 1))).as("batch %d", b).isEqualTo(b == 4);
        }
        // Fitted at batch 4 on 250 errors, but after only 250 examples of a 400 warm-up: it judges nothing.
        assertThat(c.calibration()).isNotNull();
        assertThat(c.warm()).isFalse();
        assertThat(c.flagAbove(7)).isInfinite();
        // Batch 7 ends the warm-up (400 examples): a calibration at once, in effect from batch 9
        // (batch 8 may already be in flight).
        assertThat(c.fold(7, batch(7), learnt(8))).isTrue();
        assertThat(c.warm()).isTrue();
        assertThat(c.flagAbove(8)).isInfinite();
        double threshold = c.flagAbove(9);
        assertThat(threshold).isBetween(0.12, 0.9);
        assertThat(c.skipAbove(9)).isEqualTo(threshold);
        assertThat(new AlertCalibrator(new AlertCalibrator.Settings(0.01, 1_000, 5, 400, false, 1)).skipAbove(9))
                .as("without skipping nothing is skipped").isInfinite();
        assertThat(c.fold(8, batch(8), learnt(9))).as("warm already: back to every 5 batches").isFalse();
        assertThat(c.flagged()).isZero();

        c.fold(9, batch(9), learnt(10));
        assertThat(c.judged()).as("batch 9 only").isEqualTo(50);
        assertThat(c.flagged()).as("its two anomalies, and maybe a normal error in the far tail").isBetween(2L, 3L);
    }

    @Test
    void aNewCalibrationWaitsForTheLagWhileTheOldOneStillJudges() {
        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 15; b++) {
            c.fold(b, batch(b), learnt(b + 1));
        }
        double second = c.flagAbove(16);
        // Batch 15 is judged by the calibration of batch 9, batch 16 on by that of batch 14.
        AlertCalibrator atNine = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 10; b++) {
            atNine.fold(b, batch(b), learnt(b + 1));
        }
        assertThat(c.flagAbove(15)).isEqualTo(atNine.flagAbove(11));
        assertThat(second).isNotEqualTo(atNine.flagAbove(11));
        assertThat(c.flagAbove(14)).as("batch 9's calibration, already in effect").isEqualTo(atNine.flagAbove(11));
    }

    @Test
    void roundTripsThroughItsBytesAndJudgesEveryBatchAsBefore() {
        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 23; b++) {
            c.fold(b, batch(b), learnt(b + 1));
        }
        AlertCalibrator restored = AlertCalibrator.fromBytes(c.toBytes(), SETTINGS);
        for (long b = 20; b < 30; b++) {
            assertThat(restored.flagAbove(b)).as("batch %d", b).isEqualTo(c.flagAbove(b));
        }
        assertThat(restored.flagged()).isEqualTo(c.flagged());
        assertThat(restored.judged()).isEqualTo(c.judged());
        assertThat(restored.calibration()).isEqualTo(c.calibration());
        assertThat(restored.window().values()).isEqualTo(c.window().values());
        // Folding the same batches into both keeps them identical: a replay learns what the first run learnt.
        for (long b = 23; b < 40; b++) {
            c.fold(b, batch(b), learnt(b + 1));
            restored.fold(b, batch(b), learnt(b + 1));
            assertThat(restored.flagAbove(b + 2)).isEqualTo(c.flagAbove(b + 2));
        }
        assertThat(restored.toBytes()).isEqualTo(c.toBytes());

        AlertCalibrator.Settings smaller = new AlertCalibrator.Settings(0.01, 300, 5, 400, true, 1);
        AlertCalibrator resized = AlertCalibrator.fromBytes(c.toBytes(), smaller);
        assertThat(resized.window().capacity()).isEqualTo(300);
        assertThat(resized.window().values()).containsExactly(java.util.Arrays.copyOfRange(c.window().values(), 700, 1_000));
    }

    @Test
    void corruptBytesAreRefusedWithAReason() {
        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 10; b++) {
            c.fold(b, batch(b), learnt(b + 1));
        }
        byte[] bytes = c.toBytes();
        assertThatThrownBy(() -> AlertCalibrator.fromBytes(java.util.Arrays.copyOf(bytes, 40), SETTINGS))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] format = bytes.clone();
        format[3] = 9;
        assertThatThrownBy(() -> AlertCalibrator.fromBytes(format, SETTINGS)).hasMessageContaining("unknown format 9");
        assertThatThrownBy(() -> new AlertCalibrator.Settings(0.5, 1_000, 5, 0, true, 1)).hasMessageContaining("(0, 0.5)");
        assertThatThrownBy(() -> new AlertCalibrator.Settings(0.01, 100, 5, 0, true, 1)).hasMessageContaining("[200, ");
    }
}
