package dev.streamae.model;

import java.nio.ByteBuffer;

/**
 * Tells a lasting change of "normal" from a burst of anomalies, on the stream of p-values the
 * calibration gives the trainer's images. Plain Java with a byte form, checkpointed with the
 * calibration so that a restart continues exactly.
 *
 * <p>The signal: whether an image's p-value is below one half, i.e. its error above the median
 * error of normal images. On a stationary stream with a fraction {@code c} of anomalies (p-values
 * near 0) that happens to a share {@code 0.5 + c/2} of the images; when normal itself moves, to
 * almost every image, since the model has not learnt the new normal. Anomalies move the tail of
 * the errors, a drift moves their middle: a test on the middle is blind to contamination up to
 * one half, which a test on the tail (the alert rate) could never be.
 *
 * <p>The statistic is a one-sided CUSUM, {@code S = max(0, S + x - }{@link #ALLOWANCE}{@code )}
 * with {@code x} that indicator: it drifts down by at least 0.2 per image on a stream with up to
 * 10% anomalies and climbs by about 0.25 per image after a change. It suspects a change at
 * {@link #SUSPECT_AT} (about 400 images of a full change), dismisses the suspicion when it falls
 * back to 0 (a burst ended), and confirms at {@link #CONFIRM_AT} (about 1,000 images). The change
 * is placed where the statistic last left 0. After a confirmed change, a mirrored CUSUM
 * {@code R = max(0, R + }{@link #ALLOWANCE}{@code  - x)} watches for the stream to return to the
 * calibration's normal (for {@link DriftPolicy#HOLD}): it climbs by about 0.2 per image once the
 * old normal is back and signals at {@link #CONFIRM_AT}.
 *
 * <p>Why these levels: a stationary stream would need hundreds of images in a row far above its
 * contamination to suspect anything, and its statistic drifts down at 0.2 per image, so the
 * chance of a false confirmation is negligible at any stream length; a change is still confirmed
 * within about 1,000 images of its start, inside the 2,000 a user can wait for.
 *
 * <p>What it cannot see: a change the model reconstructs almost as well as the old normal and
 * learns within a few hundred images (MNIST digits 5-9 after 0-4: 63-74% of the first 100 images
 * above the old median, about 55% from the 500th on). That moves the middle no further and for no
 * longer than a stationary stream wanders by itself (up to 64% over 500 images, measured with
 * {@code streamae evaluate}'s replay): no allowance separates the two without alarms on stationary
 * streams. Such a change is learnt like any new style of normal image, under either policy.
 */
public final class DriftDetector {

    /** The share of below-median p-values the statistic tolerates: stationary with up to 50% anomalies. */
    public static final double ALLOWANCE = 0.75;
    /** CUSUM level at which a change is suspected. */
    public static final double SUSPECT_AT = 100;
    /** CUSUM level at which a change is confirmed (and, after one, the return to normal). */
    public static final double CONFIRM_AT = 250;
    private static final double MEDIAN = 0.5;
    private static final int FORMAT = 1;
    /** Bytes of {@link #toBytes}. */
    static final int BYTES = 4 + 1 + 8 * 5;

    /** Where the detector is. */
    public enum Phase { STABLE, SUSPECTED, CONFIRMED }

    private Phase phase = Phase.STABLE;
    private double up;
    private double down;
    private long observed;
    private long changeAt;

    /**
     * Takes the next stream image's p-value.
     *
     * @return what it saw, or null: {@link DriftEvent.Type#DRIFT_SUSPECTED},
     *     {@link DriftEvent.Type#DRIFT_DISMISSED}, {@link DriftEvent.Type#DRIFT_CONFIRMED}, or
     *     (after a confirmed change) {@link DriftEvent.Type#LEARNING_RESUMED} when the stream is back
     */
    public DriftEvent observe(double pValue) {
        double x = pValue < MEDIAN ? 1 : 0;
        observed++;
        if (up == 0 && x > ALLOWANCE) {
            changeAt = observed - 1;
        }
        up = Math.max(0, up + x - ALLOWANCE);
        switch (phase) {
            case STABLE -> {
                if (up >= SUSPECT_AT) {
                    phase = Phase.SUSPECTED;
                    return event(DriftEvent.Type.DRIFT_SUSPECTED, changeAt, up, SUSPECT_AT);
                }
            }
            case SUSPECTED -> {
                if (up >= CONFIRM_AT) {
                    phase = Phase.CONFIRMED;
                    down = 0;
                    return event(DriftEvent.Type.DRIFT_CONFIRMED, changeAt, up, CONFIRM_AT);
                }
                if (up == 0) {
                    phase = Phase.STABLE;
                    return event(DriftEvent.Type.DRIFT_DISMISSED, observed, up, 0);
                }
            }
            case CONFIRMED -> {
                down = Math.max(0, down + ALLOWANCE - x);
                if (down >= CONFIRM_AT) {
                    DriftEvent back = event(DriftEvent.Type.LEARNING_RESUMED, observed, down, CONFIRM_AT);
                    reset();
                    return back;
                }
            }
        }
        return null;
    }

    private DriftEvent event(DriftEvent.Type type, long at, double statistic, double threshold) {
        return new DriftEvent(type, observed, at, statistic, threshold);
    }

    /** Back to {@link Phase#STABLE} with both statistics at 0 (after a re-baselined calibration); the count goes on. */
    public void reset() {
        phase = Phase.STABLE;
        up = 0;
        down = 0;
        changeAt = observed;
    }

    public Phase phase() {
        return phase;
    }

    /** The change statistic S. */
    public double statistic() {
        return up;
    }

    /** Stream images observed so far. */
    public long observed() {
        return observed;
    }

    /** Images observed since the start of the current excursion of the statistic (the estimated change). */
    public long sinceChange() {
        return observed - changeAt;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putInt(FORMAT).put((byte) phase.ordinal()).putDouble(up).putDouble(down)
                .putLong(observed).putLong(changeAt).putLong(0).array();
    }

    /** @throws IllegalArgumentException naming the first inconsistency */
    public static DriftDetector fromBytes(ByteBuffer in) {
        int format = in.getInt();
        if (format != FORMAT) {
            throw new IllegalArgumentException("drift detector: unknown format " + format);
        }
        int phase = in.get();
        DriftDetector d = new DriftDetector();
        if (phase < 0 || phase >= Phase.values().length) {
            throw new IllegalArgumentException("drift detector: unknown phase " + phase);
        }
        d.phase = Phase.values()[phase];
        d.up = in.getDouble();
        d.down = in.getDouble();
        d.observed = in.getLong();
        d.changeAt = in.getLong();
        in.getLong();  // reserved
        if (!(d.up >= 0 && d.down >= 0 && Double.isFinite(d.up) && Double.isFinite(d.down)) || d.observed < 0
                || d.changeAt < 0 || d.changeAt > d.observed) {
            throw new IllegalArgumentException("drift detector: inconsistent state");
        }
        return d;
    }
}
