package dev.streamae.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Test-then-train replay of a labelled stream, offline, doing what the trainer topology does:
 * images are learnt in consecutive mini-batches; each image's prequential error is measured on
 * the reconstruction the model gave before the step that learns it (the training pass's own, see
 * {@link Autoencoder#trainReconstructing}), every error enters a window of recent errors, and once
 * the model has learnt {@code warmup} examples an image is flagged when its error exceeds the
 * quantile of the window as it was before the image's batch.
 *
 * <p>All three error metrics come from the same reconstructions, each with its own window, so one
 * model answers for all of them. The threshold for a batch is the window's quantile just before
 * the batch; the live scorer uses the threshold of the last published snapshot, which lags by up to
 * a publish interval, so these alert counts are the trainer's view, slightly fresher than the
 * scorer's. AUROC and alerts cover the images scored after warm-up only.
 */
public final class PrequentialEvaluation {

    /**
     * @param batchSize training mini-batch, as {@code train.batch.size}
     * @param window recent errors the threshold is taken over, as {@code threshold.window}
     * @param quantile the threshold's quantile of the window, as {@code threshold.quantile}
     * @param warmup examples learnt before any alert, as {@code warmup.examples}
     */
    public record Settings(int batchSize, int window, double quantile, long warmup) {

        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            if (window < 1 || window > ErrorWindow.MAX_CAPACITY) {
                throw new IllegalArgumentException("window must be in [1, " + ErrorWindow.MAX_CAPACITY + "], got " + window);
            }
            if (!(quantile > 0 && quantile < 1)) {
                throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("warm-up must not be negative, got " + warmup);
            }
        }
    }

    /**
     * @param auroc AUROC over the post-warm-up images (NaN unless both classes occur)
     * @param alerts the alerts raised after warm-up against the injected anomalies
     */
    public record MetricResult(ErrorMetric metric, double auroc, Auroc.Confusion alerts) {
    }

    /**
     * @param images stream length
     * @param anomalies injected anomalies in the stream
     * @param evaluated images scored after warm-up
     * @param evaluatedAnomalies anomalies among them
     * @param metrics one result per error metric, in {@link ErrorMetric} order
     * @param imagesPerSecond scoring and training throughput of the replay
     */
    public record Result(int images, int anomalies, int evaluated, int evaluatedAnomalies,
                         Map<ErrorMetric, MetricResult> metrics, double imagesPerSecond) {
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
        ErrorMetric[] metrics = ErrorMetric.values();
        int n = stream.size();
        ErrorWindow[] windows = new ErrorWindow[metrics.length];
        double[][] scored = new double[metrics.length][n];
        long[] flaggedNormal = new long[metrics.length];
        long[] flaggedAnomalies = new long[metrics.length];
        Arrays.setAll(windows, m -> new ErrorWindow(settings.window()));
        boolean[] evaluated = new boolean[n];
        long start = System.nanoTime();
        for (int from = 0; from < n; from += settings.batchSize()) {
            int to = Math.min(n, from + settings.batchSize());
            float[][] batch = Arrays.copyOfRange(stream.rows(), from, to);
            // The errors are those before the step; the thresholds below only use earlier batches.
            float[][] reconstructions = model.trainReconstructing(batch).reconstructionsBefore();
            // The model has learnt exactly the images before this batch.
            boolean warm = from >= settings.warmup();
            for (int m = 0; m < metrics.length; m++) {
                double[] errors = Evaluation.errors(metrics[m], batch, reconstructions);
                double threshold = windows[m].isEmpty() ? Double.POSITIVE_INFINITY : windows[m].quantile(settings.quantile());
                for (int i = 0; i < errors.length; i++) {
                    int p = from + i;
                    if (warm) {
                        evaluated[p] = true;
                        scored[m][p] = errors[i];
                        if (errors[i] > threshold) {
                            if (stream.anomalous()[p]) {
                                flaggedAnomalies[m]++;
                            } else {
                                flaggedNormal[m]++;
                            }
                        }
                    }
                    windows[m].add(errors[i]);
                }
            }
            progress.update(to, n);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        int evaluatedCount = 0;
        int evaluatedAnomalies = 0;
        for (int p = 0; p < n; p++) {
            if (evaluated[p]) {
                evaluatedCount++;
                if (stream.anomalous()[p]) {
                    evaluatedAnomalies++;
                }
            }
        }
        Map<ErrorMetric, MetricResult> results = new EnumMap<>(ErrorMetric.class);
        for (int m = 0; m < metrics.length; m++) {
            double[] negatives = new double[evaluatedCount - evaluatedAnomalies];
            double[] positives = new double[evaluatedAnomalies];
            int neg = 0;
            int pos = 0;
            for (int p = 0; p < n; p++) {
                if (evaluated[p]) {
                    if (stream.anomalous()[p]) {
                        positives[pos++] = scored[m][p];
                    } else {
                        negatives[neg++] = scored[m][p];
                    }
                }
            }
            double auroc = negatives.length == 0 || positives.length == 0 ? Double.NaN : Auroc.auroc(negatives, positives);
            Auroc.Confusion alerts = new Auroc.Confusion(flaggedAnomalies[m], flaggedNormal[m],
                    negatives.length - flaggedNormal[m], positives.length - flaggedAnomalies[m]);
            results.put(metrics[m], new MetricResult(metrics[m], auroc, alerts));
        }
        return new Result(n, stream.anomalyCount(), evaluatedCount, evaluatedAnomalies,
                Collections.unmodifiableMap(results), n / seconds);
    }
}
