package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** A batch of 50 errors of a changed normal, around 0.3 (the old normal's are around 0.1), every 25th at 1.0. */
    private static double[] changed(long b) {
        SplittableRandom r = new SplittableRandom(1_000 + b);
        double[] errors = new double[50];
        for (int i = 0; i < errors.length; i++) {
            errors[i] = i % 25 == 24 ? 1.0 : 0.3 + 0.03 * r.nextGaussian();
        }
        return errors;
    }

    /**
     * As {@link #SETTINGS} but re-fitted every 50 batches, as the trainer publishes: a periodic fit
     * re-scales the window to its newest errors (see {@link CalibrationFit}), which would absorb a
     * change of level within a few batches, before the detector saw enough of it.
     */
    private static AlertCalibrator.Settings settings(DriftPolicy policy) {
        return new AlertCalibrator.Settings(0.01, 1_000, 50, 400, true, 1, policy);
    }

    /** Folds batches {@code from} to {@code to} (exclusive) of {@code errors}, collecting the events with their batch. */
    private static List<long[]> fold(AlertCalibrator c, long from, long to, java.util.function.LongFunction<double[]> errors,
                                     List<DriftEvent> events) {
        List<long[]> at = new ArrayList<>();
        for (long b = from; b < to; b++) {
            for (DriftEvent e : c.fold(b, AlertCalibrator.BatchErrors.of(errors.apply(b)), learnt(b + 1)).events()) {
                events.add(e);
                at.add(new long[] {e.type().ordinal(), b});
            }
        }
        return at;
    }

    private static long batchOf(List<long[]> at, DriftEvent.Type type) {
        return at.stream().filter(a -> a[0] == type.ordinal()).mapToLong(a -> a[1]).findFirst().orElse(-1);
    }

    private static double flaggedShare(AlertCalibrator c, long from, long to, java.util.function.LongFunction<double[]> errors) {
        long flagged = 0;
        long all = 0;
        for (long b = from; b < to; b++) {
            double above = c.flagAbove(b);
            for (double e : errors.apply(b)) {
                all++;
                flagged += e > above ? 1 : 0;
            }
        }
        return (double) flagged / all;
    }

    @Test
    void adaptConfirmsALastingChangeAndReBaselinesTheCalibrationOnTheErrorsSinceItWithTheLag() {
        AlertCalibrator c = new AlertCalibrator(settings(DriftPolicy.ADAPT));
        List<DriftEvent> events = new ArrayList<>();
        assertThat(fold(c, 0, 55, AlertCalibratorTest::batch, events)).as("stationary: no event").isEmpty();
        double before = c.flagAbove(56);
        List<long[]> at = fold(c, 55, 80, AlertCalibratorTest::changed, events);

        assertThat(events).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED,
                DriftEvent.Type.DRIFT_CONFIRMED, DriftEvent.Type.RECALIBRATED);
        // Every changed image is above the old median: 0.25 per image, so 400 images to suspect, 1,000 to confirm.
        assertThat(batchOf(at, DriftEvent.Type.DRIFT_SUSPECTED)).isBetween(61L, 64L);
        long confirmed = batchOf(at, DriftEvent.Type.DRIFT_CONFIRMED);
        assertThat(confirmed).isBetween(73L, 76L);
        assertThat(batchOf(at, DriftEvent.Type.RECALIBRATED)).isEqualTo(confirmed);
        // The detector judged 50 per batch from batch 9 on: the change is placed at batch 55's first image.
        assertThat(events.get(1).changeAt()).isBetween(46L * 50 - 5, 46L * 50 + 5);
        assertThat(c.held(80)).isFalse();

        // Re-fitted on the changed errors: in effect two batches on, flagging the changed normal at about the target again.
        AlertCalibrator replay = new AlertCalibrator(settings(DriftPolicy.ADAPT));
        fold(replay, 0, 55, AlertCalibratorTest::batch, new ArrayList<>());
        fold(replay, 55, confirmed + 1, AlertCalibratorTest::changed, new ArrayList<>());
        assertThat(replay.window().count()).as("the window starts afresh after the re-baseline").isZero();
        assertThat(replay.flagAbove(confirmed + 1)).as("the lag: the batch after may be in flight").isEqualTo(before);
        assertThat(replay.flagAbove(confirmed + 2)).isBetween(0.35, 0.99);
        fold(c, 80, 99, AlertCalibratorTest::changed, events);
        assertThat(c.flagAbove(99)).isBetween(0.35, 0.99);
        assertThat(flaggedShare(c, 80, 99, AlertCalibratorTest::changed)).as("its anomalies (4%) and about 1% of the rest")
                .isBetween(0.03, 0.07);
        assertThat(flaggedShare(replay, 56, confirmed + 1, AlertCalibratorTest::changed)).as("before: every image")
                .isGreaterThan(0.95);
        assertThat(events).hasSize(3);
    }

    @Test
    void aCalibrationDueWhileAChangeIsSuspectedWaitsSoThatTheChangeIsStillConfirmed() {
        // The change at batch 40: suspected about batch 48, and a calibration is due at batch 49.
        // Fitted then, it would scale the window to its newest errors (the changed ones) and take
        // the change for normal before the detector could confirm it.
        AlertCalibrator c = new AlertCalibrator(settings(DriftPolicy.ADAPT));
        List<DriftEvent> events = new ArrayList<>();
        fold(c, 0, 40, AlertCalibratorTest::batch, events);
        List<long[]> at = fold(c, 40, 49, AlertCalibratorTest::changed, events);
        assertThat(batchOf(at, DriftEvent.Type.DRIFT_SUSPECTED)).isBetween(46L, 48L);
        at = fold(c, 49, 70, AlertCalibratorTest::changed, events);
        assertThat(batchOf(at, DriftEvent.Type.DRIFT_CONFIRMED)).isBetween(58L, 61L);
        assertThat(events).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED,
                DriftEvent.Type.DRIFT_CONFIRMED, DriftEvent.Type.RECALIBRATED);
    }

    @Test
    void holdStopsLearningOnSuspicionKeepsAlertingAndResumesWhenTheOldNormalIsBack() {
        AlertCalibrator c = new AlertCalibrator(settings(DriftPolicy.HOLD));
        List<DriftEvent> events = new ArrayList<>();
        fold(c, 0, 55, AlertCalibratorTest::batch, events);
        List<long[]> at = fold(c, 55, 64, AlertCalibratorTest::changed, events);
        long suspected = batchOf(at, DriftEvent.Type.DRIFT_SUSPECTED);
        assertThat(suspected).isBetween(61L, 63L);
        assertThat(batchOf(at, DriftEvent.Type.LEARNING_HELD)).isEqualTo(suspected);
        // Held from the batch after the one that may be in flight: batch numbers alone decide.
        assertThat(c.held(suspected + 1)).isFalse();
        assertThat(c.skipAbove(suspected + 1)).isFinite();
        assertThat(c.held(suspected + 2)).isTrue();
        assertThat(c.skipAbove(suspected + 2)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(c.skipAbove(suspected + 2, new ExampleOrigin[] {ExampleOrigin.STREAM, ExampleOrigin.CONFIRMED_NORMAL}))
                .as("an operator's normal is learnt even while held").containsExactly(Double.NEGATIVE_INFINITY,
                        Double.POSITIVE_INFINITY);

        fold(c, 64, 66, AlertCalibratorTest::changed, events);
        double[] frozenWindow = c.window().values();
        Calibration frozen = c.calibration();
        long flagged = c.flagged();
        at = fold(c, 66, 110, AlertCalibratorTest::changed, events);
        assertThat(events).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED,
                DriftEvent.Type.LEARNING_HELD, DriftEvent.Type.DRIFT_CONFIRMED);
        assertThat(c.window().values()).as("the fault never enters the window").isEqualTo(frozenWindow);
        assertThat(c.calibration()).as("nor is the calibration re-fitted (batch 99 was due)").isSameAs(frozen);
        assertThat(c.flagged() - flagged).as("alerts go on: every changed image").isGreaterThan(44L * 50 * 95 / 100);
        assertThat(c.held(110)).isTrue();

        at = fold(c, 110, 160, AlertCalibratorTest::batch, events);
        long resumed = batchOf(at, DriftEvent.Type.LEARNING_RESUMED);
        // The old normal is below the frozen median about half the time: 250 / ~0.23 images.
        assertThat(resumed).isBetween(128L, 136L);
        assertThat(c.held(resumed + 1)).isTrue();
        assertThat(c.held(resumed + 2)).isFalse();
        assertThat(c.skipAbove(resumed + 2)).isFinite();
        assertThat(c.calibration()).as("fitted again at the next interval (batch 149)").isNotSameAs(frozen);
        assertThat(c.driftPhase()).isEqualTo(DriftDetector.Phase.STABLE);
    }

    @Test
    void aBurstUnderHoldIsHeldThenResumedWithoutAConfirmation() {
        AlertCalibrator c = new AlertCalibrator(settings(DriftPolicy.HOLD));
        List<DriftEvent> events = new ArrayList<>();
        fold(c, 0, 55, AlertCalibratorTest::batch, events);
        fold(c, 55, 69, b -> {
            double[] e = new double[50];
            Arrays.fill(e, 1.0);
            return e;
        }, events);
        fold(c, 69, 100, AlertCalibratorTest::batch, events);
        assertThat(events).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED,
                DriftEvent.Type.LEARNING_HELD, DriftEvent.Type.DRIFT_DISMISSED, DriftEvent.Type.LEARNING_RESUMED);
        assertThat(c.held(100)).isFalse();
    }

    @Test
    void roundTripsMidDriftAndGoesOnExactlyAsBefore() {
        for (DriftPolicy policy : DriftPolicy.values()) {
            AlertCalibrator c = new AlertCalibrator(settings(policy));
            fold(c, 0, 55, AlertCalibratorTest::batch, new ArrayList<>());
            fold(c, 55, 67, AlertCalibratorTest::changed, new ArrayList<>());
            assertThat(c.driftPhase()).isEqualTo(DriftDetector.Phase.SUSPECTED);
            AlertCalibrator restored = AlertCalibrator.fromBytes(c.toBytes(), settings(policy));
            assertThat(restored.driftStatistic()).isEqualTo(c.driftStatistic());
            assertThat(restored.held(68)).isEqualTo(c.held(68)).isEqualTo(policy == DriftPolicy.HOLD);
            List<DriftEvent> original = new ArrayList<>();
            List<DriftEvent> replayed = new ArrayList<>();
            fold(c, 67, 95, AlertCalibratorTest::changed, original);
            fold(restored, 67, 95, AlertCalibratorTest::changed, replayed);
            assertThat(replayed).as("%s", policy).isEqualTo(original).isNotEmpty();
            for (long b = 90; b < 100; b++) {
                assertThat(restored.skipAbove(b)).isEqualTo(c.skipAbove(b));
            }
            assertThat(restored.toBytes()).isEqualTo(c.toBytes());
        }
    }

    @Test
    void readsFormat1WhichHadNoDriftStateAsStableAndUnheld() {
        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 23; b++) {
            c.fold(b, batch(b), learnt(b + 1));
        }
        byte[] format2 = c.toBytes();
        // Format 1 is format 2 without the drift detector, the hold schedule and the verdict counts,
        // which sit just before the window's length and bytes.
        int windowAt = format2.length - 4 - c.window().toBytes().length;
        int driftBytes = DriftDetector.BYTES + 2 + 3 * 8;
        ByteBuffer format1 = ByteBuffer.allocate(format2.length - driftBytes);
        format1.put(format2, 0, windowAt - driftBytes).put(format2, windowAt, format2.length - windowAt);
        format1.putInt(0, 1);

        AlertCalibrator restored = AlertCalibrator.fromBytes(format1.array(), SETTINGS);
        for (long b = 20; b < 30; b++) {
            assertThat(restored.flagAbove(b)).isEqualTo(c.flagAbove(b));
            assertThat(restored.held(b)).isFalse();
        }
        assertThat(restored.judged()).isEqualTo(c.judged());
        assertThat(restored.window().values()).isEqualTo(c.window().values());
        assertThat(restored.driftPhase()).isEqualTo(DriftDetector.Phase.STABLE);
        assertThat(restored.confirmedNormal()).isZero();
        assertThat(restored.toBytes()).as("written back as format 2").hasSize(format2.length);
    }

    @Test
    void verdictsEnterAsTheTrainerSplitsThemAndAConfirmedFalseAlarmIsWeightedByTheShareAnswered() {
        double[] errors = {0.1, 0.5, 0.2, 0.9, 0.3};
        ExampleOrigin[] origins = {ExampleOrigin.STREAM, ExampleOrigin.CONFIRMED_NORMAL, ExampleOrigin.STREAM,
                ExampleOrigin.CONFIRMED_ANOMALY, ExampleOrigin.STREAM};
        AlertCalibrator.BatchErrors split = AlertCalibrator.BatchErrors.split(errors, origins);
        assertThat(split.stream()).containsExactly(0.1, 0.2, 0.3);
        assertThat(split.confirmedNormal()).containsExactly(0.5);
        assertThat(split.confirmedAnomalies()).isEqualTo(1);
        assertThatThrownBy(() -> AlertCalibrator.BatchErrors.split(errors, new ExampleOrigin[2]))
                .hasMessageContaining("5 errors for 2 rows");

        AlertCalibrator c = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 20; b++) {
            c.fold(b, batch(b), learnt(b + 1));
        }
        assertThat(c.falseAlarmWeight()).as("no verdict yet").isEqualTo(1);
        long flagged = c.flagged();
        assertThat(flagged).as("two anomalies a batch").isGreaterThan(20);
        // Verdicts on about a fifth of the alerts: each confirmed false alarm enters the window five times.
        int answered = (int) Math.round(flagged / 5.0);
        double[] normal = new double[answered / 2];
        Arrays.fill(normal, 0.4);
        int before = c.window().count();
        c.fold(20, new AlertCalibrator.BatchErrors(batch(20), normal, answered - normal.length), learnt(21));
        assertThat(c.confirmedNormal()).isEqualTo(normal.length);
        assertThat(c.confirmedAnomalies()).isEqualTo(answered - normal.length);
        long expected = Math.round((double) c.flagged() / answered);
        assertThat(c.falseAlarmWeight()).isEqualTo((int) expected).isBetween(4, 6);
        assertThat(Arrays.stream(c.window().values()).filter(e -> e == 0.4).count())
                .isEqualTo(normal.length * expected);
        assertThat(c.window().count()).isEqualTo(Math.min(1_000, before + 50 + (int) (normal.length * expected)));

        AlertCalibrator few = new AlertCalibrator(SETTINGS);
        for (long b = 0; b < 60; b++) {
            few.fold(b, batch(b), learnt(b + 1));
        }
        few.fold(60, new AlertCalibrator.BatchErrors(batch(60), new double[] {0.4}, 0), learnt(61));
        assertThat(few.falseAlarmWeight()).as("one verdict in a hundred alerts counts as one in ten")
                .isEqualTo(AlertCalibrator.MAX_FALSE_ALARM_WEIGHT);
        AlertCalibrator all = new AlertCalibrator(SETTINGS);
        all.fold(0, new AlertCalibrator.BatchErrors(batch(0), new double[] {0.4, 0.4}, 1), learnt(1));
        assertThat(all.falseAlarmWeight()).as("more verdicts than alerts").isEqualTo(1);
    }
}
