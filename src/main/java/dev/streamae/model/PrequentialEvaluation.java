package dev.streamae.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Test-then-train replay of a labelled stream, offline, doing exactly what the trainer topology
 * does with each mini-batch: every image is judged by the calibration its batch number selects
 * ({@link AlertCalibrator}, the trainer's own code), the step learns the images it does not flag
 * (with {@code skip}; none while the drift policy holds learning), and every prequential error
 * enters the calibrator's window, which acts on the drift it detects. An image is an alert when
 * its error is above the threshold it was judged by: the trainer's view, which the scorer shares
 * up to the publish interval.
 *
 * <p>With an {@link Operator}, a seeded share of the alerts get a verdict (the image's true
 * label) that arrives a fixed number of batches later: the image enters that batch again as an
 * extra row of origin {@link ExampleOrigin#CONFIRMED_NORMAL} or {@link ExampleOrigin#CONFIRMED_ANOMALY},
 * as an operator's record on the feedback topic enters the trainer's batches, and the calibrator
 * decides what it teaches exactly as in the trainer. Verdict rows are not stream images: they are
 * neither judged nor counted below.
 *
 * <p>What it reports judges the alarm layer apart from the ranking: the false-alarm rate measured
 * on the normal images against the target, recall, precision and F1 of the alerts, and the F1 of
 * the best fixed threshold in hindsight over the same images (the oracle, which needs the labels);
 * AUROC says how well the errors rank. Everything covers the images judged by a warmed-up
 * calibration only. It also keeps, per stream position, whether the image was judged and flagged,
 * and the drift events with the positions they happened at, so that a drift scenario can be
 * measured from the position of its change.
 */
public final class PrequentialEvaluation {

    /**
     * @param batchSize training mini-batch, as {@code train.batch.size}
     * @param falseAlarmRate the target, as {@code alert.false.alarm.rate}
     * @param window errors the calibration is fitted to, as {@code calibration.window}
     * @param recalibrateEvery batches between calibrations, as {@code publish.every.steps}
     * @param warmup examples learnt before any alert, as {@code warmup.examples}
     * @param skip do not learn flagged images, as {@code train.skip.anomalies}
     * @param driftPolicy what a detected drift does, as {@code drift.policy}
     */
    public record Settings(int batchSize, double falseAlarmRate, int window, int recalibrateEvery, long warmup,
                           boolean skip, DriftPolicy driftPolicy) {

        /** With {@link DriftPolicy#ADAPT}. */
        public Settings(int batchSize, double falseAlarmRate, int window, int recalibrateEvery, long warmup,
                        boolean skip) {
            this(batchSize, falseAlarmRate, window, recalibrateEvery, warmup, skip, DriftPolicy.ADAPT);
        }

        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            Objects.requireNonNull(driftPolicy, "drift policy");
        }

        public Settings withDriftPolicy(DriftPolicy policy) {
            return new Settings(batchSize, falseAlarmRate, window, recalibrateEvery, warmup, skip, policy);
        }

        AlertCalibrator.Settings calibrator() {
            // The trainer's lag: it has up to two steps in flight.
            return new AlertCalibrator.Settings(falseAlarmRate, window, recalibrateEvery, warmup, skip, 1, driftPolicy);
        }
    }

    /**
     * A simulated operator who answers alerts.
     *
     * @param share the fraction of alerts answered, each chosen at random (seed {@code seed})
     * @param delayBatches batches between the one an alert was raised in and the one its verdict enters
     * @param seed which alerts are answered
     */
    public record Operator(double share, int delayBatches, long seed) {

        /** Nobody answers. */
        public static final Operator NONE = new Operator(0, 1, 0);

        public Operator {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("share of alerts answered must be in [0, 1], got " + share);
            }
            if (delayBatches < 1) {
                throw new IllegalArgumentException("a verdict enters a later batch: delay must be at least 1, got "
                        + delayBatches);
            }
        }
    }

    /** What became of a stream position. */
    public enum Outcome {
        /** Before the first warmed-up calibration: not judged. */
        NOT_JUDGED,
        /** Judged and not flagged. */
        PASSED,
        /** Judged and flagged: an alert. */
        FLAGGED
    }

    /**
     * A drift event and where in the stream it happened.
     *
     * @param event what the calibrator reported
     * @param position the stream position of the image at which it happened
     * @param changePosition the stream position where the detector places the change's start
     */
    public record PlacedEvent(DriftEvent event, int position, int changePosition) {

        public DriftEvent.Type type() {
            return event.type();
        }
    }

    /**
     * One replay's counts over the images judged by a warmed-up calibration.
     *
     * @param images stream length
     * @param normalJudged normal images judged
     * @param falseAlarms of which flagged
     * @param anomaliesJudged anomalies judged
     * @param caught of which flagged
     * @param oracleF1 the best F1 of any fixed error threshold over the judged images (NaN without anomalies)
     * @param auroc AUROC of the errors, anomalies against normal images (NaN unless both occur)
     * @param contamination the calibrations' mean contamination estimate after the warm-up
     * @param skipped stream images not learnt
     * @param imagesPerSecond replay throughput
     * @param events the drift events, in order, placed in the stream
     * @param outcomes per stream position, whether it was judged and flagged
     * @param verdictsNormal operators' verdicts "normal" that entered a batch
     * @param verdictsAnomaly operators' verdicts "anomaly" that entered a batch
     */
    public record Result(int images, long normalJudged, long falseAlarms, long anomaliesJudged, long caught,
                         double oracleF1, double auroc, double contamination, long skipped, double imagesPerSecond,
                         List<PlacedEvent> events, Outcome[] outcomes, long verdictsNormal, long verdictsAnomaly) {

        public double falseAlarmRate() {
            return normalJudged == 0 ? Double.NaN : (double) falseAlarms / normalJudged;
        }

        public Auroc.Confusion alerts() {
            return new Auroc.Confusion(caught, falseAlarms, normalJudged - falseAlarms, anomaliesJudged - caught);
        }

        /** The first event of this type at or after stream position {@code from}, or null. */
        public PlacedEvent first(DriftEvent.Type type, int from) {
            for (PlacedEvent e : events) {
                if (e.type() == type && e.position() >= from) {
                    return e;
                }
            }
            return null;
        }
    }

    /** Called after every mini-batch with the images processed so far. */
    public interface Progress {
        void update(int done, int total);
    }

    private PrequentialEvaluation() {
    }

    /** {@link #run(Autoencoder, PrequentialStream, Settings, Operator, Progress)} without an operator. */
    public static Result run(Autoencoder model, PrequentialStream stream, Settings settings, Progress progress) {
        return run(model, stream, settings, Operator.NONE, progress);
    }

    public static Result run(Autoencoder model, PrequentialStream stream, Settings settings, Operator operator,
                             Progress progress) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(progress, "progress");
        AlertCalibrator calibrator = new AlertCalibrator(settings.calibrator());
        int n = stream.size();
        double[] judgedErrors = new double[n];
        boolean[] judgedAnomalous = new boolean[n];
        int[] judgedPosition = new int[n];
        Outcome[] outcomes = new Outcome[n];
        Arrays.fill(outcomes, Outcome.NOT_JUDGED);
        List<PlacedEvent> events = new ArrayList<>();
        Verdicts verdicts = new Verdicts(operator);
        int judged = 0;
        long falseAlarms = 0;
        long caught = 0;
        long anomaliesJudged = 0;
        long skipped = 0;
        long learnt = 0;
        long verdictsNormal = 0;
        long verdictsAnomaly = 0;
        double contaminationSum = 0;
        int calibrations = 0;
        long start = System.nanoTime();
        long batch = 0;
        for (int from = 0; from < n; from += settings.batchSize(), batch++) {
            int to = Math.min(n, from + settings.batchSize());
            int[] answered = verdicts.due(batch);
            float[][] rows = new float[to - from + answered.length][];
            ExampleOrigin[] origins = new ExampleOrigin[rows.length];
            for (int i = 0; i < rows.length; i++) {
                int p = i < to - from ? from + i : answered[i - (to - from)];
                rows[i] = stream.row(p);
                origins[i] = i < to - from ? ExampleOrigin.STREAM
                        : stream.anomalous()[p] ? ExampleOrigin.CONFIRMED_ANOMALY : ExampleOrigin.CONFIRMED_NORMAL;
                verdictsNormal += origins[i] == ExampleOrigin.CONFIRMED_NORMAL ? 1 : 0;
                verdictsAnomaly += origins[i] == ExampleOrigin.CONFIRMED_ANOMALY ? 1 : 0;
            }
            double flagAbove = calibrator.flagAbove(batch);
            TrainStep step = model.trainSkipping(rows, calibrator.skipAbove(batch, origins));
            AlertCalibrator.BatchErrors errors = AlertCalibrator.BatchErrors.split(step.errorsBefore(), origins);
            double[] streamErrors = errors.stream();
            if (flagAbove != Double.POSITIVE_INFINITY) {
                for (int i = 0; i < streamErrors.length; i++) {
                    int p = from + i;
                    boolean anomalous = stream.anomalous()[p];
                    boolean flagged = streamErrors[i] > flagAbove;
                    outcomes[p] = flagged ? Outcome.FLAGGED : Outcome.PASSED;
                    judgedPosition[judged] = p;
                    judgedErrors[judged] = streamErrors[i];
                    judgedAnomalous[judged++] = anomalous;
                    if (anomalous) {
                        anomaliesJudged++;
                        caught += flagged ? 1 : 0;
                    } else {
                        falseAlarms += flagged ? 1 : 0;
                    }
                    if (flagged) {
                        verdicts.maybeAnswer(batch, p);
                    }
                }
            }
            // An operator's "normal" is always learnt, an "anomaly" never: the rest of what was learnt is the stream's.
            int verdictRowsLearnt = rows.length - streamErrors.length - errors.confirmedAnomalies();
            skipped += streamErrors.length - (step.learnt() - verdictRowsLearnt);
            learnt += step.learnt();
            AlertCalibrator.Folded folded = calibrator.fold(batch, errors, learnt);
            for (DriftEvent event : folded.events()) {
                events.add(new PlacedEvent(event, placed(judgedPosition, judged, event.imagesJudged() - 1),
                        placed(judgedPosition, judged, event.changeAt())));
            }
            if (folded.recalibrated() && calibrator.warm()) {
                contaminationSum += calibrator.calibration().contamination();
                calibrations++;
            }
            progress.update(to, n);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] errors = Arrays.copyOf(judgedErrors, judged);
        boolean[] anomalous = Arrays.copyOf(judgedAnomalous, judged);
        double[] normal = select(errors, anomalous, false);
        double[] anomalies = select(errors, anomalous, true);
        double auroc = normal.length == 0 || anomalies.length == 0 ? Double.NaN : Auroc.auroc(normal, anomalies);
        return new Result(n, normal.length, falseAlarms, anomalies.length, caught, Auroc.bestF1(normal, anomalies),
                auroc, calibrations == 0 ? Double.NaN : contaminationSum / calibrations, skipped, n / seconds,
                List.copyOf(events), outcomes, verdictsNormal, verdictsAnomaly);
    }

    /** The stream position of the {@code k}-th judged image (0-based), clamped to those judged so far. */
    private static int placed(int[] judgedPosition, int judged, long k) {
        return judgedPosition[(int) Math.max(0, Math.min(judged - 1, k))];
    }

    /** The simulated operator's queue: which alerts were answered, and the batch each verdict enters. */
    private static final class Verdicts {
        private final Operator operator;
        private final SplittableRandom random;
        /** Per batch number due, the positions answered, in the order of their alerts. */
        private final java.util.Map<Long, List<Integer>> queue = new java.util.HashMap<>();

        Verdicts(Operator operator) {
            this.operator = operator;
            this.random = new SplittableRandom(operator.seed());
        }

        void maybeAnswer(long batch, int position) {
            if (operator.share() > 0 && random.nextDouble() < operator.share()) {
                queue.computeIfAbsent(batch + operator.delayBatches(), b -> new ArrayList<>()).add(position);
            }
        }

        int[] due(long batch) {
            List<Integer> due = queue.remove(batch);
            return due == null ? new int[0] : due.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static double[] select(double[] errors, boolean[] anomalous, boolean which) {
        int count = 0;
        for (boolean a : anomalous) {
            count += a == which ? 1 : 0;
        }
        double[] out = new double[count];
        int k = 0;
        for (int i = 0; i < errors.length; i++) {
            if (anomalous[i] == which) {
                out[k++] = errors[i];
            }
        }
        return out;
    }
}
