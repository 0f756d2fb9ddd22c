package dev.streamae.model;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What "normal" costs: the estimated distribution of a model's prequential errors on normal
 * images, from which every score gets its p-value and the alert rule its threshold. Fitted by
 * {@link CalibrationFit} from a window of recent errors that also holds anomalies; immutable, and
 * carried in every published snapshot so that a scorer judges each error against the calibration
 * of the very model that produced it.
 *
 * <p>The distribution is kept as its survival function {@code p(e)}: the estimated fraction of
 * normal images whose error is at least {@code e}. It is stored as knots {@code (error, log p)} at
 * survival levels from 1 down to the last knot, interpolated linearly in {@code log p} (exact at
 * the knots, and monotone), with an exponential tail of scale {@link #tailScale} beyond the last
 * knot. A user's false-alarm rate {@code alpha} then maps to a threshold ({@link #threshold}): an
 * image is an anomaly when its p-value is below {@code alpha}, i.e. its error above the threshold.
 *
 * @param errors knot errors, strictly increasing
 * @param logSurvival {@code ln p} at each knot, strictly decreasing, the first 0 or below
 * @param tailScale scale of the exponential tail beyond the last knot, positive
 * @param contamination estimated fraction of the window that is not normal, in [0, 1]
 * @param windowCount how many prequential errors the fit used
 */
public record Calibration(double[] errors, double[] logSurvival, double tailScale, double contamination,
                          long windowCount) {

    /** Bounds what {@link #fromBytes} will allocate for a hostile knot count. */
    public static final int MAX_KNOTS = 4096;

    public Calibration {
        if (errors.length != logSurvival.length || errors.length < 2 || errors.length > MAX_KNOTS) {
            throw new IllegalArgumentException("a calibration needs 2 to " + MAX_KNOTS + " knots, got "
                    + errors.length + " errors and " + logSurvival.length + " survival levels");
        }
        for (int i = 0; i < errors.length; i++) {
            if (!Double.isFinite(errors[i]) || !Double.isFinite(logSurvival[i])) {
                throw new IllegalArgumentException("calibration knot " + i + " is not finite");
            }
            if (i > 0 && !(errors[i] > errors[i - 1] && logSurvival[i] < logSurvival[i - 1])) {
                throw new IllegalArgumentException("calibration knots must rise in error and fall in survival, knot " + i
                        + " does not");
            }
        }
        if (logSurvival[0] > 0) {
            throw new IllegalArgumentException("a survival probability cannot exceed 1");
        }
        if (!(tailScale > 0 && Double.isFinite(tailScale))) {
            throw new IllegalArgumentException("tail scale must be positive and finite, got " + tailScale);
        }
        if (!(contamination >= 0 && contamination <= 1)) {
            throw new IllegalArgumentException("contamination must be in [0, 1], got " + contamination);
        }
        if (windowCount < 0) {
            throw new IllegalArgumentException("window count must not be negative, got " + windowCount);
        }
        errors = errors.clone();
        logSurvival = logSurvival.clone();
    }

    /**
     * The estimated fraction of normal images with an error at least {@code error}: 1 for errors
     * below the first knot, interpolated between knots, exponentially smaller beyond the last.
     */
    public double pValue(double error) {
        if (Double.isNaN(error)) {
            throw new IllegalArgumentException("error is NaN");
        }
        int last = errors.length - 1;
        if (error <= errors[0]) {
            return Math.exp(logSurvival[0]);
        }
        if (error >= errors[last]) {
            return Math.exp(logSurvival[last] - (error - errors[last]) / tailScale);
        }
        int i = Arrays.binarySearch(errors, error);
        if (i >= 0) {
            return Math.exp(logSurvival[i]);
        }
        int hi = -i - 1;
        int lo = hi - 1;
        double f = (error - errors[lo]) / (errors[hi] - errors[lo]);
        return Math.exp(logSurvival[lo] + f * (logSurvival[hi] - logSurvival[lo]));
    }

    /**
     * The error whose p-value is {@code falseAlarmRate}: alerting on errors above it flags that
     * fraction of normal images, by this calibration's estimate.
     */
    public double threshold(double falseAlarmRate) {
        if (!(falseAlarmRate > 0 && falseAlarmRate < 1)) {
            throw new IllegalArgumentException("false-alarm rate must be in (0, 1), got " + falseAlarmRate);
        }
        double target = Math.log(falseAlarmRate);
        int last = errors.length - 1;
        if (target >= logSurvival[0]) {
            return errors[0];
        }
        if (target <= logSurvival[last]) {
            return errors[last] + (logSurvival[last] - target) * tailScale;
        }
        int hi = 1;
        while (logSurvival[hi] > target) {
            hi++;
        }
        int lo = hi - 1;
        double f = (logSurvival[lo] - target) / (logSurvival[lo] - logSurvival[hi]);
        return errors[lo] + f * (errors[hi] - errors[lo]);
    }

    /** The knots' errors, increasing (a copy: the calibration is immutable). */
    @Override
    public double[] errors() {
        return errors.clone();
    }

    /** The knots' {@code ln p}, decreasing (a copy). */
    @Override
    public double[] logSurvival() {
        return logSurvival.clone();
    }

    /** 4-byte knot count, then the knots' errors and log survivals, tail scale, contamination, window count. */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(byteSize());
        writeTo(out);
        return out.array();
    }

    /** Bytes {@link #writeTo} writes. */
    public int byteSize() {
        return Integer.BYTES + 2 * Double.BYTES * errors.length + 2 * Double.BYTES + Long.BYTES;
    }

    public void writeTo(ByteBuffer out) {
        out.putInt(errors.length);
        for (double e : errors) {
            out.putDouble(e);
        }
        for (double s : logSurvival) {
            out.putDouble(s);
        }
        out.putDouble(tailScale).putDouble(contamination).putLong(windowCount);
    }

    /**
     * Reads what {@link #writeTo} wrote, checking every field (the bytes may come from a topic).
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static Calibration readFrom(ByteBuffer in) {
        if (in.remaining() < Integer.BYTES) {
            throw new IllegalArgumentException("calibration: truncated before its knot count");
        }
        int knots = in.getInt();
        if (knots < 2 || knots > MAX_KNOTS) {
            throw new IllegalArgumentException("calibration: " + knots + " knots (2 to " + MAX_KNOTS + " allowed)");
        }
        long needed = 2L * Double.BYTES * knots + 2 * Double.BYTES + Long.BYTES;
        if (in.remaining() < needed) {
            throw new IllegalArgumentException("calibration: " + knots + " knots need " + needed + " bytes, "
                    + in.remaining() + " left");
        }
        double[] errors = new double[knots];
        double[] logSurvival = new double[knots];
        for (int i = 0; i < knots; i++) {
            errors[i] = in.getDouble();
        }
        for (int i = 0; i < knots; i++) {
            logSurvival[i] = in.getDouble();
        }
        return new Calibration(errors, logSurvival, in.getDouble(), in.getDouble(), in.getLong());
    }

    public static Calibration fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Calibration c = readFrom(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("calibration: " + in.remaining() + " trailing bytes");
        }
        return c;
    }

    // Records compare arrays by reference; calibrations are values.
    @Override
    public boolean equals(Object o) {
        return o instanceof Calibration c && Arrays.equals(errors, c.errors) && Arrays.equals(logSurvival, c.logSurvival)
                && Double.compare(tailScale, c.tailScale) == 0 && Double.compare(contamination, c.contamination) == 0
                && windowCount == c.windowCount;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(errors) + Arrays.hashCode(logSurvival)) + Long.hashCode(windowCount);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Calibration[%d knots, errors %.4g..%.4g, tail scale %.3g, "
                        + "contamination %.4f, %d errors]", errors.length, errors[0], errors[errors.length - 1], tailScale,
                contamination, windowCount);
    }
}
