package dev.streamae.model;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Evaluation routines shared by the offline trainer, the parity check, the {@code train} and
 * {@code evaluate} commands and the figures: batched scoring, per-metric errors recomputed from
 * reconstructions (one forward pass serves all three metrics, whatever the model's own metric),
 * and AUROC per metric.
 */
public final class Evaluation {

    /** Scoring batch: DL4J's per-call cost is amortised by 256. */
    public static final int BATCH_SIZE = 256;

    private Evaluation() {
    }

    /** Scores {@code rows} in batches of {@link #BATCH_SIZE}, concatenated in order. */
    public static Scores scoreAll(Autoencoder model, float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows to score");
        }
        float[][] codes = new float[rows.length][];
        float[][] reconstructions = new float[rows.length][];
        double[] errors = new double[rows.length];
        for (int from = 0; from < rows.length; from += BATCH_SIZE) {
            int to = Math.min(rows.length, from + BATCH_SIZE);
            Scores s = model.score(Arrays.copyOfRange(rows, from, to));
            System.arraycopy(s.codes(), 0, codes, from, to - from);
            System.arraycopy(s.reconstructions(), 0, reconstructions, from, to - from);
            System.arraycopy(s.errors(), 0, errors, from, to - from);
        }
        return new Scores(codes, reconstructions, errors);
    }

    /** Each row's error under {@code metric}, from reconstructions already computed. */
    public static double[] errors(ErrorMetric metric, float[][] rows, float[][] reconstructions) {
        if (rows.length != reconstructions.length) {
            throw new IllegalArgumentException(rows.length + " rows but " + reconstructions.length + " reconstructions");
        }
        double[] errors = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            errors[i] = metric.of(rows[i], reconstructions[i]);
        }
        return errors;
    }

    /** Mean per-image MSE of {@code model}'s reconstructions of {@code rows}, whatever its metric. */
    public static double meanMse(Autoencoder model, float[][] rows) {
        double[] errors = errors(ErrorMetric.MSE, rows, scoreAll(model, rows).reconstructions());
        return Arrays.stream(errors).average().orElseThrow();
    }

    /**
     * AUROC of each error metric with {@code normal} as negatives and {@code anomalous} as
     * positives, from one scoring pass over each.
     */
    public static Map<ErrorMetric, Double> aurocByMetric(Autoencoder model, float[][] normal, float[][] anomalous) {
        float[][] normalRecon = scoreAll(model, normal).reconstructions();
        float[][] anomalousRecon = scoreAll(model, anomalous).reconstructions();
        Map<ErrorMetric, Double> auroc = new EnumMap<>(ErrorMetric.class);
        for (ErrorMetric metric : ErrorMetric.values()) {
            auroc.put(metric, Auroc.auroc(errors(metric, normal, normalRecon), errors(metric, anomalous, anomalousRecon)));
        }
        return auroc;
    }
}
