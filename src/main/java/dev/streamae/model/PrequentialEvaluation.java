package dev.streamae.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Test-then-train replay of a labelled stream, offline, doing exactly what the trainer topology
 * does with each mini-batch: every image is judged by the calibration its batch number selects
 * ({@link AlertCalibrator}, the trainer's own code), the step learns the images it does not flag
 * (with {@code skip}), and every prequential error enters the calibrator's window. An image is an
 * alert when its error is above the threshold it was judged by: the trainer's view, which the
 * scorer shares up to the publish interval.
 *
 * <p>What it reports judges the alarm layer apart from the ranking: the false-alarm rate measured
 * on the normal images against the target, recall, precision and F1 of the alerts, and the F1 of
 * the best fixed threshold in hindsight over the same images (the oracle, which needs the labels);
 * AUROC says how well the errors rank. Everything covers the images judged by a warmed-up
 * calibration only.
 */
public final class PrequentialEvaluation {

    /**
     * @param batchSize training mini-batch, as {@code train.batch.size}
     * @param falseAlarmRate the target, as {@code alert.false.alarm.rate}
     * @param window errors the calibration is fitted to, as {@code calibration.window}
     * @param recalibrateEvery batches between calibrations, as {@code publish.every.steps}
     * @param warmup examples learnt before any alert, as {@code warmup.examples}
     * @param skip do not learn flagged images, as {@code train.skip.anomalies}
     */
    public record Settings(int batchSize, double falseAlarmRate, int window, int recalibrateEvery, long warmup,
                           boolean skip) {

        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
        }

        AlertCalibrator.Settings calibrator() {
            // The trainer's lag: it has up to two steps in flight.
            return new AlertCalibrator.Settings(falseAlarmRate, window, recalibrateEvery, warmup, skip, 1);
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
     * @param skipped images not learnt
     * @param imagesPerSecond replay throughput
     */
    public record Result(int images, long normalJudged, long falseAlarms, long anomaliesJudged, long caught,
                         double oracleF1, double auroc, double contamination, long skipped, double imagesPerSecond) {

        public double falseAlarmRate() {
            return normalJudged == 0 ? Double.NaN : (double) falseAlarms / normalJudged;
        }

        public Auroc.Confusion alerts() {
            return new Auroc.Confusion(caught, falseAlarms, normalJudged - falseAlarms, anomaliesJudged - caught);
        }
    }

    /** Called after every mini-batch with the images processed so far. */
    public interface Progress {
        void update(int done, int total);
    }

    private PrequentialEvaluation() {
    }

    public static Result run(Autoencoder model, PrequentialStream stream, Settings settings, Progress progress) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(progress, "progress");
        AlertCalibrator calibrator = new AlertCalibrator(settings.calibrator());
        int n = stream.size();
        double[] judgedErrors = new double[n];
        boolean[] judgedAnomalous = new boolean[n];
        int judged = 0;
        long falseAlarms = 0;
        long caught = 0;
        long anomaliesJudged = 0;
        long skipped = 0;
        long learnt = 0;
        double contaminationSum = 0;
        int calibrations = 0;
        long start = System.nanoTime();
        long batch = 0;
        for (int from = 0; from < n; from += settings.batchSize(), batch++) {
            int to = Math.min(n, from + settings.batchSize());
            double flagAbove = calibrator.flagAbove(batch);
            TrainStep step = model.trainSkipping(stream.rows(from, to), calibrator.skipAbove(batch));
            double[] errors = step.errorsBefore();
            if (flagAbove != Double.POSITIVE_INFINITY) {
                for (int i = 0; i < errors.length; i++) {
                    boolean anomalous = stream.anomalous()[from + i];
                    boolean flagged = errors[i] > flagAbove;
                    judgedErrors[judged] = errors[i];
                    judgedAnomalous[judged++] = anomalous;
                    if (anomalous) {
                        anomaliesJudged++;
                        caught += flagged ? 1 : 0;
                    } else {
                        falseAlarms += flagged ? 1 : 0;
                    }
                }
            }
            skipped += errors.length - step.learnt();
            learnt += step.learnt();
            if (calibrator.fold(batch, errors, learnt) && calibrator.warm()) {
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
                auroc, calibrations == 0 ? Double.NaN : contaminationSum / calibrations, skipped, n / seconds);
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
