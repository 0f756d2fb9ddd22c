package dev.streamae.model;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
 * The same lag applies to holding learning under {@link DriftPolicy#HOLD}.
 *
 * <p>Drift: every stream image judged by a warmed-up calibration feeds a {@link DriftDetector}
 * with its p-value. While a change is suspected the calibration is not re-fitted: a periodic fit
 * to a window holding a few hundred errors of a new normal stretches its tail over them, which
 * would hide the change from the detector (measured: the threshold went from 0.02 to 0.40 and the
 * suspicion was dismissed). With {@link DriftPolicy#ADAPT}, a confirmed change re-fits the calibration to
 * the window's errors since the change (the new normal) at once; with {@link DriftPolicy#HOLD}, a
 * suspected change stops learning from the stream and freezes the calibration (its errors stay
 * out of the window, so the fault never becomes normal) until the suspicion is dismissed or, once
 * confirmed, the stream is back to the normal the frozen calibration knows.
 *
 * <p>Operators' verdicts: a confirmed false alarm's error enters the window like a normal image's
 * (the trainer learns it whatever its error); a confirmed anomaly's never does. Both are counted,
 * which gives the alerts' precision as operators see it.
 */
public final class AlertCalibrator {

    /** How it fits, and when it starts judging. */
    public record Settings(double falseAlarmRate, int window, int recalibrateEvery, long warmupExamples, boolean skip,
                           int lag, DriftPolicy driftPolicy) {

        /** With {@link DriftPolicy#ADAPT}. */
        public Settings(double falseAlarmRate, int window, int recalibrateEvery, long warmupExamples, boolean skip,
                        int lag) {
            this(falseAlarmRate, window, recalibrateEvery, warmupExamples, skip, lag, DriftPolicy.ADAPT);
        }

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
            Objects.requireNonNull(driftPolicy, "drift policy");
        }
    }

    /**
     * One batch's errors as the trainer splits them.
     *
     * @param stream errors of the batch's stream images, in order
     * @param confirmedNormal errors of images operators called false alarms (learnt, enter the window)
     * @param confirmedAnomalies images operators confirmed as anomalies (neither learnt nor in the window)
     */
    public record BatchErrors(double[] stream, double[] confirmedNormal, int confirmedAnomalies) {

        /** A batch of stream images only. */
        public static BatchErrors of(double[] stream) {
            return new BatchErrors(stream, new double[0], 0);
        }
    }

    /**
     * What folding a batch did.
     *
     * @param recalibrated whether a new calibration was fitted (periodic, end of warm-up, or re-baselined)
     * @param events drift events, in the order they happened
     */
    public record Folded(boolean recalibrated, List<DriftEvent> events) {
    }

    /** Format 1 had no drift detector, hold schedule or verdict counts; it is still read. */
    private static final int FORMAT = 2;

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
    private DriftDetector detector = new DriftDetector();
    /** Whether learning is held for batches before {@link #holdFrom}, and from it on (HOLD). */
    private boolean heldBefore;
    private boolean heldAfter;
    private long holdFrom;
    private long confirmedNormal;
    private long confirmedAnomalies;

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
        Judge judge = judge(batch);
        return judge == null || !judge.warm() ? Double.POSITIVE_INFINITY
                : judge.calibration().threshold(settings.falseAlarmRate());
    }

    /**
     * The error above which a stream image of batch {@code batch} is not learnt: none is while
     * learning is held, else {@link #flagAbove} if skipping.
     */
    public double skipAbove(long batch) {
        if (held(batch)) {
            return Double.NEGATIVE_INFINITY;
        }
        return settings.skip() ? flagAbove(batch) : Double.POSITIVE_INFINITY;
    }

    /** Whether learning from the stream is held for batch {@code batch} ({@link DriftPolicy#HOLD}). */
    public boolean held(long batch) {
        return batch >= holdFrom ? heldAfter : heldBefore;
    }

    private Judge judge(long batch) {
        return batch >= effectiveFrom ? current : previous;
    }

    /** {@link #fold(long, BatchErrors, long)} of stream images only; returns whether a calibration was fitted. */
    public boolean fold(long batch, double[] errors, long examplesSeen) {
        return fold(batch, BatchErrors.of(errors), examplesSeen).recalibrated();
    }

    /**
     * Folds in batch {@code batch}'s prequential errors, in batch order: counts the stream images
     * flagged, feeds the drift detector and acts on what it sees, and every
     * {@code recalibrateEvery} batches, and at the batch that ends the warm-up, fits a new
     * calibration, effective {@code lag + 1} batches on.
     *
     * @param examplesSeen examples the model has learnt, this batch included (for the warm-up)
     */
    public Folded fold(long batch, BatchErrors errors, long examplesSeen) {
        List<DriftEvent> events = new ArrayList<>(0);
        if (settings.driftPolicy() == DriftPolicy.ADAPT && (heldAfter || detector.phase() == DriftDetector.Phase.CONFIRMED)) {
            // Held under "hold", restarted under "adapt" (how an operator accepts a new normal): learning
            // resumes, and the detector, fed again, confirms the change and re-fits to the new normal.
            detector.reset();
            holdLearning(batch, false);
            events.add(new DriftEvent(DriftEvent.Type.LEARNING_RESUMED, detector.observed(), detector.observed(), 0, 0));
        }
        Judge judge = judge(batch);
        double above = flagAbove(batch);
        boolean heldNow = held(batch);
        if (above != Double.POSITIVE_INFINITY) {
            judged += errors.stream().length;
        }
        for (double e : errors.stream()) {
            if (!heldNow) {
                window.add(e);
            }
            if (e > above) {
                flagged++;
            }
        }
        for (double e : errors.confirmedNormal()) {
            window.add(e);
        }
        confirmedNormal += errors.confirmedNormal().length;
        confirmedAnomalies += errors.confirmedAnomalies();
        boolean rebaselined = false;
        if (above != Double.POSITIVE_INFINITY) {
            for (double e : errors.stream()) {
                DriftEvent seen = detector.observe(judge.calibration().pValue(e));
                if (seen != null) {
                    rebaselined |= act(batch, seen, events);
                }
            }
        }
        if (rebaselined) {
            return new Folded(true, events);
        }
        // Every recalibrateEvery batches, and at once when the warm-up ends, so that alerts start then.
        boolean warmUpJustEnded = !warm() && examplesSeen >= settings.warmupExamples();
        if (((batch + 1) % settings.recalibrateEvery() != 0 && !warmUpJustEnded)
                || window.count() < CalibrationFit.MIN_ERRORS || held(batch + 1)
                || detector.phase() != DriftDetector.Phase.STABLE) {
            return new Folded(false, events);
        }
        install(batch, CalibrationFit.fit(window.values(), settings.falseAlarmRate()),
                examplesSeen >= settings.warmupExamples());
        return new Folded(true, events);
    }

    /** Applies the policy to what the detector saw at batch {@code batch}; returns whether it re-fitted. */
    private boolean act(long batch, DriftEvent seen, List<DriftEvent> events) {
        boolean hold = settings.driftPolicy() == DriftPolicy.HOLD;
        switch (seen.type()) {
            case DRIFT_SUSPECTED -> {
                events.add(seen);
                if (hold) {
                    holdLearning(batch, true);
                    events.add(echo(seen, DriftEvent.Type.LEARNING_HELD));
                }
            }
            case DRIFT_DISMISSED -> {
                events.add(seen);
                if (hold) {
                    holdLearning(batch, false);
                    events.add(echo(seen, DriftEvent.Type.LEARNING_RESUMED));
                }
            }
            case DRIFT_CONFIRMED -> {
                events.add(seen);
                if (!hold) {
                    // The window holds the errors since the change (it was fed all along): they are the new normal.
                    int since = (int) Math.min(window.count(), detector.sinceChange());
                    detector.reset();
                    if (since >= CalibrationFit.MIN_ERRORS) {
                        window = window.newest(since, settings.window());
                        install(batch, CalibrationFit.fit(window.values(), settings.falseAlarmRate()), true);
                        events.add(new DriftEvent(DriftEvent.Type.RECALIBRATED, seen.imagesJudged(), seen.changeAt(),
                                seen.statistic(), seen.threshold()));
                        return true;
                    }
                }
            }
            case LEARNING_RESUMED -> {
                holdLearning(batch, false);
                events.add(seen);
            }
            default -> throw new IllegalStateException("unexpected detector signal " + seen.type());
        }
        return false;
    }

    private static DriftEvent echo(DriftEvent seen, DriftEvent.Type type) {
        return new DriftEvent(type, seen.imagesJudged(), seen.imagesJudged(), seen.statistic(), seen.threshold());
    }

    private void install(long batch, Calibration fitted, boolean warmNow) {
        previous = batch + 1 >= effectiveFrom ? current : previous;
        current = new Judge(fitted, warmNow);
        effectiveFrom = batch + 1 + settings.lag();
    }

    private void holdLearning(long batch, boolean hold) {
        heldBefore = held(batch + 1);
        heldAfter = hold;
        holdFrom = batch + 1 + settings.lag();
    }

    /** The drift detector (read only: the calibrator acts on what it sees). */
    public DriftDetector.Phase driftPhase() {
        return detector.phase();
    }

    /** The drift detector's change statistic. */
    public double driftStatistic() {
        return detector.statistic();
    }

    /** Images operators called false alarms, in total. */
    public long confirmedNormal() {
        return confirmedNormal;
    }

    /** Images operators confirmed as anomalies, in total. */
    public long confirmedAnomalies() {
        return confirmedAnomalies;
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

    /**
     * Everything above, for a checkpoint: format, counters, the schedule, both calibrations, the
     * drift detector, the hold schedule, the verdict counts, the window.
     */
    public byte[] toBytes() {
        byte[] windowBytes = window.toBytes();
        int size = 4 + 8 * 3 + judgeBytes(previous) + judgeBytes(current) + DriftDetector.BYTES + 2 + 8 * 3 + 4
                + windowBytes.length;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(FORMAT).putLong(flagged).putLong(judged).putLong(effectiveFrom);
        writeJudge(out, previous);
        writeJudge(out, current);
        out.put(detector.toBytes()).put((byte) (heldBefore ? 1 : 0)).put((byte) (heldAfter ? 1 : 0)).putLong(holdFrom)
                .putLong(confirmedNormal).putLong(confirmedAnomalies);
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
            if (format != FORMAT && format != 1) {
                throw new IllegalArgumentException("alert calibrator: unknown format " + format);
            }
            AlertCalibrator c = new AlertCalibrator(settings);
            c.flagged = in.getLong();
            c.judged = in.getLong();
            c.effectiveFrom = in.getLong();
            c.previous = readJudge(in);
            c.current = readJudge(in);
            if (format == FORMAT) {
                c.detector = DriftDetector.fromBytes(in);
                c.heldBefore = in.get() != 0;
                c.heldAfter = in.get() != 0;
                c.holdFrom = in.getLong();
                c.confirmedNormal = in.getLong();
                c.confirmedAnomalies = in.getLong();
            }
            int windowLength = in.getInt();
            if (windowLength < 0 || windowLength != in.remaining()) {
                throw new IllegalArgumentException("alert calibrator: window of " + windowLength + " bytes, "
                        + in.remaining() + " left");
            }
            byte[] windowBytes = new byte[windowLength];
            in.get(windowBytes);
            ErrorWindow restored = ErrorWindow.fromBytes(windowBytes);
            c.window = restored.capacity() == settings.window() ? restored : restored.withCapacity(settings.window());
            if (c.flagged < 0 || c.judged < 0 || c.effectiveFrom < 0 || c.holdFrom < 0 || c.confirmedNormal < 0
                    || c.confirmedAnomalies < 0) {
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
