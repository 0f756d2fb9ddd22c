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
 * with its p-value. While a change is suspected the calibration is not re-fitted: a fit scales
 * the window's older errors to its newest ones ({@link CalibrationFit}), so a periodic fit that
 * fell between suspicion and confirmation took a change of level for the new normal's own and the
 * change was never confirmed (measured: MNIST digits, then Fashion-MNIST, with a fit 700 images
 * after the change, all three seeds). With {@link DriftPolicy#ADAPT}, a confirmed change re-fits
 * the calibration to the window's errors since the change (the new normal) at once; with
 * {@link DriftPolicy#HOLD}, a suspected change stops learning from the stream and freezes the
 * calibration (its errors stay out of the window, so the fault never becomes normal) until the
 * suspicion is dismissed or, once confirmed, the stream is back to the normal the frozen
 * calibration knows. After a re-baseline the window starts empty, so that later fits see only
 * errors of the model learning the new normal (measured on MNIST digits, then Fashion-MNIST, over
 * five change positions: the worst 1,000 images from 2,000 after the change on flagged 8x the
 * target instead of 33x, though one position got worse, 3.3x instead of 1.4x).
 *
 * <p>Operators' verdicts: a confirmed false alarm's error enters the window like a normal image's
 * (the trainer learns it whatever its error), {@link #falseAlarmWeight} times; a confirmed anomaly's
 * never does. Both are counted, which gives the alerts' precision as operators see it. Why the
 * weight: every false alarm is in the window already, unlabelled, and where anomalies resemble
 * normal images the fit takes part of the normal tail for anomalies and alerts on more normal
 * images than the target. The answered false alarms are a sample of all of them; weighted by the
 * inverse of the share of alerts answered, they put the false alarms' tail mass into the window
 * once more as known normal errors, so the fit sees how far the normal tail really reaches,
 * whatever share operators answer. Measured ({@code streamae evaluate}'s replay, Fashion-MNIST
 * dresses among digits at 3%, six seeds of 60,000 images, 20% of alerts answered): precision 0.72
 * without verdicts (false-alarm rate 2.2x the target); with the error entering once, 0.72 (2.2x);
 * weighted, 0.82 (1.3x), recall unchanged (0.73). Learning a confirmed false alarm four times
 * instead of once gave 0.73; leaving its error out of the window, 0.73; a fixed weight of 2, 3 or 4,
 * 0.73, 0.79 and 0.84. With 10%, 50% and all alerts answered the weighted rule gave 0.80, 0.77
 * and 0.83.
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

        /**
         * A batch's errors split by where each row came from, stream rows kept in order.
         *
         * @param errors every row's error, in batch order
         * @param origins every row's origin, in the same order
         */
        public static BatchErrors split(double[] errors, ExampleOrigin[] origins) {
            if (errors.length != origins.length) {
                throw new IllegalArgumentException(errors.length + " errors for " + origins.length + " rows");
            }
            int normal = 0;
            int anomalies = 0;
            for (ExampleOrigin o : origins) {
                normal += o == ExampleOrigin.CONFIRMED_NORMAL ? 1 : 0;
                anomalies += o == ExampleOrigin.CONFIRMED_ANOMALY ? 1 : 0;
            }
            if (normal + anomalies == 0) {
                return of(errors);
            }
            double[] stream = new double[errors.length - normal - anomalies];
            double[] confirmedNormal = new double[normal];
            int s = 0;
            int n = 0;
            for (int i = 0; i < errors.length; i++) {
                switch (origins[i]) {
                    case STREAM -> stream[s++] = errors[i];
                    case CONFIRMED_NORMAL -> confirmedNormal[n++] = errors[i];
                    case CONFIRMED_ANOMALY -> { }
                }
            }
            return new BatchErrors(stream, confirmedNormal, anomalies);
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

    /**
     * The most a confirmed false alarm's error is weighted ({@link #falseAlarmWeight}): operators who
     * answer fewer than one alert in ten are taken to answer one in ten, so that a handful of
     * verdicts cannot dominate the window.
     */
    public static final int MAX_FALSE_ALARM_WEIGHT = 10;

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

    /**
     * Per-row thresholds for a batch {@code batch} of rows of these origins, for
     * {@link Autoencoder#trainSkipping(float[][], double[])}: a stream row's is {@link #skipAbove(long)};
     * an operator's "normal" is learnt whatever its error, an operator's "anomaly" never is.
     */
    public double[] skipAbove(long batch, ExampleOrigin[] origins) {
        double stream = skipAbove(batch);
        double[] each = new double[origins.length];
        for (int i = 0; i < each.length; i++) {
            each[i] = switch (origins[i]) {
                case STREAM -> stream;
                case CONFIRMED_NORMAL -> Double.POSITIVE_INFINITY;
                case CONFIRMED_ANOMALY -> Double.NEGATIVE_INFINITY;
            };
        }
        return each;
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
        confirmedNormal += errors.confirmedNormal().length;
        confirmedAnomalies += errors.confirmedAnomalies();
        int weight = falseAlarmWeight();
        for (double e : errors.confirmedNormal()) {
            for (int copy = 0; copy < weight; copy++) {
                window.add(e);
            }
        }
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
        // Every recalibrateEvery batches, and at once when the warm-up ends, so that alerts start then;
        // not while a suspected change is being decided: the fit scales the window to its newest
        // errors, so it would take a change of level for normal before the detector could confirm it.
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

    /**
     * How many times a confirmed false alarm's error enters the window: the inverse of the share of
     * alerts operators answered so far (verdicts over images flagged), rounded, from 1 (every alert
     * answered, or more verdicts than alerts) to {@link #MAX_FALSE_ALARM_WEIGHT}.
     */
    public int falseAlarmWeight() {
        long verdicts = confirmedNormal + confirmedAnomalies;
        if (verdicts == 0 || verdicts >= flagged) {
            return 1;
        }
        return (int) Math.min(MAX_FALSE_ALARM_WEIGHT, Math.round((double) flagged / verdicts));
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
                    // The window holds the errors since the change (it was fed all along): they are the
                    // new normal as the model first saw it. Then the window starts afresh: the model had
                    // learnt none of those images (it flagged them), so once it learns the new normal
                    // their shape no longer fits, and mixed with the newer errors in later fits they
                    // made the fit take the learning model's tail for anomalies.
                    int since = (int) Math.min(window.count(), detector.sinceChange());
                    detector.reset();
                    if (since >= CalibrationFit.MIN_ERRORS) {
                        install(batch, CalibrationFit.fit(window.newest(since, settings.window()).values(),
                                settings.falseAlarmRate()), true);
                        window = new ErrorWindow(settings.window());
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
