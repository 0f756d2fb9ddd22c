package dev.streamae.model;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The trainer's alerting state for one model: the window of recent prequential errors, the
 * calibration fitted to it, and which calibration each mini-batch is judged by. Plain Java with a
 * byte form, so that the trainer can checkpoint it with the model and a restart continues exactly.
 *
 * <p>Every batch's errors enter the window, learnt or not (a window without the anomalies could
 * not tell how many there are). Every {@code recalibrateEvery} batches, and as soon as the warm-up
 * ends, the calibration is fitted again ({@link CalibrationFit}). Batches are numbered in the order they are formed; a batch
 * judged by a calibration is flagged where its errors exceed the threshold, and with
 * {@code skip} those images are not learnt.
 *
 * <p>Why calibrations take effect {@code lag} batches after the batch they were fitted at: the
 * trainer has up to {@code lag} batches in flight on its step thread, and which of them were
 * already handed over when a batch's outcome is folded in depends on timing. Were a new
 * calibration used by "the next batch to start", a replay after a crash could judge a batch by a
 * different calibration than the original run did. With the lag, the calibration every batch is
 * judged by depends on batch numbers only, so a replay learns exactly what the first run learnt.
 */
public final class AlertCalibrator {

    /** How it fits, and when it starts judging. */
    public record Settings(double falseAlarmRate, int window, int recalibrateEvery, long warmupExamples, boolean skip,
                           int lag) {

        public Settings {
            if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
                throw new IllegalArgumentException("false-alarm rate must be in (0, 0.5), got " + falseAlarmRate);
            }
            if (window < CalibrationFit.MIN_ERRORS || window > ErrorWindow.MAX_CAPACITY) {
                throw new IllegalArgumentException("calibration window must be in [" + CalibrationFit.MIN_ERRORS + ", "
                        + ErrorWindow.MAX_CAPACITY + "], got " + window);
            }
            if (recalibrateEvery < 1 || warmupExamples < 0 || lag < 0) {
                throw new IllegalArgumentException("recalibration interval must be positive, warm-up and lag not negative");
            }
        }
    }

    private static final int FORMAT = 1;

    private final Settings settings;
    private ErrorWindow window;
    /** The calibration batches before {@link #effectiveFrom} are judged by (null: none). */
    private Judge previous;
    /** The newest calibration, for batches from {@link #effectiveFrom} on. */
    private Judge current;
    private long effectiveFrom;
    /** Images whose error was above the threshold they were judged by, in total. */
    private long flagged;
    /** Images judged by a warmed-up calibration (flagged or not), in total. */
    private long judged;

    /** A calibration and whether the model had warmed up when it was fitted (only then does it flag). */
    private record Judge(Calibration calibration, boolean warm) {
    }

    public AlertCalibrator(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.window = new ErrorWindow(settings.window());
    }

    /**
     * The error above which an image of batch {@code batch} counts as flagged: the threshold of the
     * calibration that batch is judged by, or infinity while there is no warmed-up calibration.
     */
    public double flagAbove(long batch) {
        Judge judge = batch >= effectiveFrom ? current : previous;
        return judge == null || !judge.warm() ? Double.POSITIVE_INFINITY
                : judge.calibration().threshold(settings.falseAlarmRate());
    }

    /** The error above which an image of batch {@code batch} is not learnt: {@link #flagAbove}, if skipping. */
    public double skipAbove(long batch) {
        return settings.skip() ? flagAbove(batch) : Double.POSITIVE_INFINITY;
    }

    /**
     * Folds in batch {@code batch}'s prequential errors, in batch order; every
     * {@code recalibrateEvery} batches, and at the batch that ends the warm-up, fits a new
     * calibration, effective {@code lag + 1} batches on.
     *
     * @param examplesSeen examples the model has learnt, this batch included (for the warm-up)
     * @return whether a new calibration was fitted
     */
    public boolean fold(long batch, double[] errors, long examplesSeen) {
        double above = flagAbove(batch);
        if (above != Double.POSITIVE_INFINITY) {
            judged += errors.length;
        }
        for (double e : errors) {
            window.add(e);
            if (e > above) {
                flagged++;
            }
        }
        // Every recalibrateEvery batches, and at once when the warm-up ends, so that alerts start then.
        boolean warmUpJustEnded = !warm() && examplesSeen >= settings.warmupExamples();
        if (((batch + 1) % settings.recalibrateEvery() != 0 && !warmUpJustEnded)
                || window.count() < CalibrationFit.MIN_ERRORS) {
            return false;
        }
        Calibration fitted = CalibrationFit.fit(window.values(), settings.falseAlarmRate());
        previous = batch + 1 >= effectiveFrom ? current : previous;
        current = new Judge(fitted, examplesSeen >= settings.warmupExamples());
        effectiveFrom = batch + 1 + settings.lag();
        return true;
    }

    /** The newest calibration, or null before the window had enough errors. */
    public Calibration calibration() {
        return current == null ? null : current.calibration();
    }

    /** Whether the newest calibration was fitted after the warm-up, so that it flags images. */
    public boolean warm() {
        return current != null && current.warm();
    }

    /** Images flagged so far (their error above the threshold they were judged by). */
    public long flagged() {
        return flagged;
    }

    /** Images judged by a warmed-up calibration so far. */
    public long judged() {
        return judged;
    }

    public Settings settings() {
        return settings;
    }

    public ErrorWindow window() {
        return window;
    }

    /** Everything above, for a checkpoint: format, counters, the schedule, both calibrations, the window. */
    public byte[] toBytes() {
        byte[] windowBytes = window.toBytes();
        int size = 4 + 8 * 3 + judgeBytes(previous) + judgeBytes(current) + 4 + windowBytes.length;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(FORMAT).putLong(flagged).putLong(judged).putLong(effectiveFrom);
        writeJudge(out, previous);
        writeJudge(out, current);
        out.putInt(windowBytes.length).put(windowBytes);
        return out.array();
    }

    /**
     * Restores what {@link #toBytes} wrote under {@code settings}; a window of another capacity
     * (the setting changed between runs) keeps its newest errors.
     *
     * @throws IllegalArgumentException naming the first inconsistency
     */
    public static AlertCalibrator fromBytes(byte[] bytes, Settings settings) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int format = in.getInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("alert calibrator: unknown format " + format);
            }
            AlertCalibrator c = new AlertCalibrator(settings);
            c.flagged = in.getLong();
            c.judged = in.getLong();
            c.effectiveFrom = in.getLong();
            c.previous = readJudge(in);
            c.current = readJudge(in);
            int windowLength = in.getInt();
            if (windowLength < 0 || windowLength != in.remaining()) {
                throw new IllegalArgumentException("alert calibrator: window of " + windowLength + " bytes, "
                        + in.remaining() + " left");
            }
            byte[] windowBytes = new byte[windowLength];
            in.get(windowBytes);
            ErrorWindow restored = ErrorWindow.fromBytes(windowBytes);
            c.window = restored.capacity() == settings.window() ? restored : restored.withCapacity(settings.window());
            if (c.flagged < 0 || c.judged < 0 || c.effectiveFrom < 0) {
                throw new IllegalArgumentException("alert calibrator: negative counter");
            }
            return c;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("alert calibrator: truncated", e);
        }
    }

    private static int judgeBytes(Judge judge) {
        return 1 + (judge == null ? 0 : 1 + judge.calibration().byteSize());
    }

    private static void writeJudge(ByteBuffer out, Judge judge) {
        out.put((byte) (judge == null ? 0 : 1));
        if (judge != null) {
            out.put((byte) (judge.warm() ? 1 : 0));
            judge.calibration().writeTo(out);
        }
    }

    private static Judge readJudge(ByteBuffer in) {
        if (in.get() == 0) {
            return null;
        }
        boolean warm = in.get() != 0;
        return new Judge(Calibration.readFrom(in), warm);
    }
}
