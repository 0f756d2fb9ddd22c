package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The drift detector on seeded synthetic p-value streams: normal images' p-values uniform on
 * (0, 1) (what a calibration that fits gives them), anomalies' near 0, and a changed normal's
 * mostly below one half (its errors above the old normal's median).
 */
class DriftDetectorTest {

    /** A normal image's p-value under a calibration that fits. */
    private static double normal(SplittableRandom r) {
        return r.nextDouble();
    }

    /** An anomaly's p-value: far in the tail. */
    private static double anomaly(SplittableRandom r) {
        return r.nextDouble() * 1e-3;
    }

    /** An image of a changed normal: 90% of them above the old normal's median error. */
    private static double changed(SplittableRandom r) {
        return r.nextDouble() < 0.9 ? r.nextDouble() * 0.5 : 0.5 + r.nextDouble() * 0.5;
    }

    private static double stationary(SplittableRandom r, double contamination) {
        return r.nextDouble() < contamination ? anomaly(r) : normal(r);
    }

    /** Feeds {@code n} p-values, collecting what the detector reports. */
    private static List<DriftEvent> feed(DriftDetector d, int n, java.util.function.Supplier<Double> pValues) {
        List<DriftEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DriftEvent e = d.observe(pValues.get());
            if (e != null) {
                events.add(e);
            }
        }
        return events;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.01, 0.03, 0.1})
    void aStationaryStreamOf60000ImagesRaisesNoEventAtAnyContaminationUpTo10Percent(double contamination) {
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            DriftDetector d = new DriftDetector();
            List<DriftEvent> events = feed(d, 60_000, () -> stationary(r, contamination));
            assertThat(events).as("seed %d", seed).isEmpty();
            assertThat(d.phase()).isEqualTo(DriftDetector.Phase.STABLE);
            // The statistic drifts down by at least 0.2 per image: it never gets near the suspicion level.
            assertThat(d.statistic()).isLessThan(DriftDetector.SUSPECT_AT / 4);
        }
    }

    @Test
    void aLastingChangeIsSuspectedThenConfirmedWithinBoundsAndPlacedNearItsStart() {
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            DriftDetector d = new DriftDetector();
            assertThat(feed(d, 5_000, () -> stationary(r, 0.03))).isEmpty();
            List<DriftEvent> events = feed(d, 3_000, () -> r.nextDouble() < 0.03 ? anomaly(r) : changed(r));

            assertThat(events).extracting(DriftEvent::type).as("seed %d", seed)
                    .containsExactly(DriftEvent.Type.DRIFT_SUSPECTED, DriftEvent.Type.DRIFT_CONFIRMED);
            DriftEvent suspected = events.get(0);
            DriftEvent confirmed = events.get(1);
            // About 0.16 per image (90% + 3% / 2 below the median, less 0.75): 100 / 0.16 and 250 / 0.16.
            assertThat(suspected.imagesJudged() - 5_000).isBetween(450L, 900L);
            assertThat(confirmed.imagesJudged() - 5_000).isBetween(1_200L, 2_000L);
            assertThat(confirmed.changeAt()).as("placed where the statistic last left 0").isBetween(4_950L, 5_050L);
            assertThat(suspected.changeAt()).isEqualTo(confirmed.changeAt());
            assertThat(confirmed.threshold()).isEqualTo(DriftDetector.CONFIRM_AT);
            assertThat(d.phase()).isEqualTo(DriftDetector.Phase.CONFIRMED);
        }
    }

    @Test
    void aShortBurstOfAnomaliesIsSuspectedThenDismissed() {
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            DriftDetector d = new DriftDetector();
            feed(d, 5_000, () -> stationary(r, 0.03));
            // 700 anomalies in a row: 0.25 per image, suspected after 400, short of the 1,000 a confirmation needs.
            List<DriftEvent> burst = feed(d, 700, () -> anomaly(r));
            assertThat(burst).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.DRIFT_SUSPECTED);
            List<DriftEvent> after = feed(d, 2_000, () -> stationary(r, 0.03));
            assertThat(after).extracting(DriftEvent::type).as("seed %d", seed)
                    .containsExactly(DriftEvent.Type.DRIFT_DISMISSED);
            // Back to 0 at about 0.25 per image: 175 / 0.235 images after the burst.
            assertThat(after.get(0).imagesJudged() - 5_700).isBetween(500L, 1_100L);
            assertThat(d.phase()).isEqualTo(DriftDetector.Phase.STABLE);
        }
    }

    @Test
    void afterAConfirmedChangeTheReturnOfTheOldNormalIsSignalled() {
        SplittableRandom r = new SplittableRandom(7);
        DriftDetector d = new DriftDetector();
        feed(d, 3_000, () -> stationary(r, 0.03));
        feed(d, 3_000, () -> changed(r));
        assertThat(d.phase()).isEqualTo(DriftDetector.Phase.CONFIRMED);
        assertThat(feed(d, 3_000, () -> changed(r))).as("the change goes on: nothing new").isEmpty();

        List<DriftEvent> back = feed(d, 3_000, () -> stationary(r, 0.03));
        assertThat(back).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.LEARNING_RESUMED);
        // The mirrored statistic climbs by about 0.235 per image once the old normal is back: 250 / 0.235.
        assertThat(back.get(0).imagesJudged() - 9_000).isBetween(900L, 1_400L);
        assertThat(d.phase()).isEqualTo(DriftDetector.Phase.STABLE);
        assertThat(d.statistic()).isZero();
    }

    @Test
    void roundTripsThroughItsBytesMidChangeAndGoesOnExactlyAsBefore() {
        SplittableRandom r = new SplittableRandom(3);
        DriftDetector d = new DriftDetector();
        feed(d, 2_000, () -> stationary(r, 0.03));
        feed(d, 900, () -> changed(r));
        assertThat(d.phase()).isEqualTo(DriftDetector.Phase.SUSPECTED);
        DriftDetector restored = DriftDetector.fromBytes(ByteBuffer.wrap(d.toBytes()));
        assertThat(restored.phase()).isEqualTo(d.phase());
        assertThat(restored.statistic()).isEqualTo(d.statistic());
        assertThat(restored.observed()).isEqualTo(d.observed());
        assertThat(restored.sinceChange()).isEqualTo(d.sinceChange());
        SplittableRandom a = new SplittableRandom(11);
        SplittableRandom b = new SplittableRandom(11);
        assertThat(feed(restored, 2_000, () -> changed(b))).isEqualTo(feed(d, 2_000, () -> changed(a)));
        assertThat(restored.toBytes()).isEqualTo(d.toBytes());

        // Confirmed, with the old normal back for a while: the mirrored statistic is under way.
        assertThat(d.phase()).isEqualTo(DriftDetector.Phase.CONFIRMED);
        feed(d, 500, () -> stationary(r, 0.03));
        DriftDetector returning = DriftDetector.fromBytes(ByteBuffer.wrap(d.toBytes()));
        SplittableRandom c = new SplittableRandom(13);
        SplittableRandom e = new SplittableRandom(13);
        List<DriftEvent> resumed = feed(d, 1_500, () -> stationary(c, 0.03));
        assertThat(resumed).extracting(DriftEvent::type).containsExactly(DriftEvent.Type.LEARNING_RESUMED);
        assertThat(feed(returning, 1_500, () -> stationary(e, 0.03))).as("at the same image").isEqualTo(resumed);
    }

    @Test
    void corruptBytesAreRefusedWithAReason() {
        byte[] bytes = new DriftDetector().toBytes();
        byte[] format = bytes.clone();
        format[3] = 7;
        assertThatThrownBy(() -> DriftDetector.fromBytes(ByteBuffer.wrap(format))).hasMessageContaining("unknown format 7");
        byte[] phase = bytes.clone();
        phase[4] = 9;
        assertThatThrownBy(() -> DriftDetector.fromBytes(ByteBuffer.wrap(phase))).hasMessageContaining("unknown phase 9");
        byte[] negative = ByteBuffer.wrap(bytes.clone()).putDouble(5, -1).array();
        assertThatThrownBy(() -> DriftDetector.fromBytes(ByteBuffer.wrap(negative))).hasMessageContaining("inconsistent");
    }
}
