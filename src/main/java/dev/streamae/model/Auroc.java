package dev.streamae.model;

import java.util.Arrays;

/**
 * Area under the ROC curve of anomaly scores: the probability that a random anomaly scores higher
 * than a random normal image, ties counting half. Used to compare error metrics (the design notes
 * that AUROC differs widely between them) and to compare with {@code torch_reference.py}, which
 * reports the same number via scikit-learn.
 */
public final class Auroc {

    private Auroc() {
    }

    /**
     * Mann-Whitney U statistic over the pooled scores, with average ranks for ties, which is what
     * {@code sklearn.metrics.roc_auc_score} computes for binary labels.
     */
    public static double of(double[] normal, double[] anomalous) {
        if (normal.length == 0 || anomalous.length == 0) {
            throw new IllegalArgumentException("AUROC needs both normal and anomalous scores");
        }
        int n = normal.length + anomalous.length;
        double[][] pooled = new double[n][];
        for (int i = 0; i < normal.length; i++) {
            pooled[i] = new double[] {normal[i], 0};
        }
        for (int i = 0; i < anomalous.length; i++) {
            pooled[normal.length + i] = new double[] {anomalous[i], 1};
        }
        Arrays.sort(pooled, (a, b) -> Double.compare(a[0], b[0]));
        double anomalousRankSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && pooled[j + 1][0] == pooled[i][0]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (pooled[k][1] == 1) {
                    anomalousRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        double u = anomalousRankSum - (double) anomalous.length * (anomalous.length + 1) / 2;
        return u / ((double) normal.length * anomalous.length);
    }
}
