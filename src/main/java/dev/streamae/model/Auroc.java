package dev.streamae.model;

import java.util.Arrays;

/**
 * How well anomaly scores separate normal images (negatives) from anomalies (positives), where a
 * higher score means "more anomalous".
 *
 * <p>AUROC is the probability that a random positive scores above a random negative, ties
 * counting one half: the Mann-Whitney U statistic divided by {@code nPositives * nNegatives}. It is
 * computed by sorting both sides and merging, O(n log n), with the pair counts kept as exact
 * integers (doubled, so that ties are whole numbers) until the final division. It needs no
 * threshold, which is why it is the figure for comparing error metrics; precision and recall
 * describe one operating point, the threshold the scorer actually uses.
 */
public final class Auroc {

    private Auroc() {
    }

    /**
     * Area under the ROC curve: 1.0 when every positive scores above every negative, 0.5 when the
     * scores carry no information (for example all equal), 0.0 when the order is exactly reversed.
     *
     * @throws IllegalArgumentException when either side is empty or a score is NaN
     */
    public static double auroc(double[] negatives, double[] positives) {
        if (negatives.length == 0 || positives.length == 0) {
            throw new IllegalArgumentException("AUROC needs at least one negative and one positive, got "
                    + negatives.length + " and " + positives.length);
        }
        double[] neg = sortedCopy(negatives, "negatives");
        double[] pos = sortedCopy(positives, "positives");
        // For each positive (ascending), count negatives strictly below it and equal to it. Both
        // pointers only move forward, so the merge is linear after the sorts.
        long twiceU = 0;
        int below = 0;
        int belowOrEqual = 0;
        for (double p : pos) {
            while (below < neg.length && neg[below] < p) {
                below++;
            }
            if (belowOrEqual < below) {
                belowOrEqual = below;
            }
            while (belowOrEqual < neg.length && neg[belowOrEqual] == p) {
                belowOrEqual++;
            }
            twiceU += (long) below + belowOrEqual; // 2 * (below + (equal / 2))
        }
        return twiceU / (2.0 * neg.length * pos.length);
    }

    /**
     * Counts at one threshold: an image is flagged when its score is strictly above
     * {@code threshold}, as the scorer flags an error that exceeds its threshold.
     */
    public static Confusion at(double threshold, double[] negatives, double[] positives) {
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("threshold is NaN");
        }
        long falsePositives = countAbove(threshold, negatives, "negatives");
        long truePositives = countAbove(threshold, positives, "positives");
        return new Confusion(truePositives, falsePositives, negatives.length - falsePositives,
                positives.length - truePositives);
    }

    /**
     * The best F1 of "score above t" over every threshold t (the oracle: the best a fixed threshold
     * could do in hindsight, with the labels); NaN without positives. Tied scores fall on the same
     * side of any threshold, so they are counted together.
     */
    public static double bestF1(double[] negatives, double[] positives) {
        if (positives.length == 0) {
            return Double.NaN;
        }
        double[] neg = sortedCopy(negatives, "negatives");
        double[] pos = sortedCopy(positives, "positives");
        // Walk thresholds from the top: at each distinct score, flag everything at or above it.
        int i = neg.length - 1;
        int j = pos.length - 1;
        double best = 0;
        while (i >= 0 || j >= 0) {
            double t = Math.max(i >= 0 ? neg[i] : Double.NEGATIVE_INFINITY, j >= 0 ? pos[j] : Double.NEGATIVE_INFINITY);
            while (i >= 0 && neg[i] == t) {
                i--;
            }
            while (j >= 0 && pos[j] == t) {
                j--;
            }
            long truePositives = pos.length - 1 - j;
            long falsePositives = neg.length - 1 - i;
            best = Math.max(best, 2.0 * truePositives / (truePositives + falsePositives + pos.length));
        }
        return best;
    }

    /**
     * A confusion matrix. Ratios whose denominator is zero are undefined and returned as NaN (for
     * example precision when nothing was flagged), rather than a made-up 0 or 1.
     */
    public record Confusion(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {

        /** Of the flagged images, the fraction that are anomalies. */
        public double precision() {
            return ratio(truePositives, truePositives + falsePositives);
        }

        /** Of the anomalies, the fraction flagged (true positive rate). */
        public double recall() {
            return ratio(truePositives, truePositives + falseNegatives);
        }

        /** Of the normal images, the fraction flagged. */
        public double falsePositiveRate() {
            return ratio(falsePositives, falsePositives + trueNegatives);
        }

        /** Harmonic mean of precision and recall. */
        public double f1() {
            return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
        }

        private static double ratio(long numerator, long denominator) {
            return denominator == 0 ? Double.NaN : (double) numerator / denominator;
        }
    }

    private static long countAbove(double threshold, double[] scores, String name) {
        long count = 0;
        for (double s : scores) {
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException(name + " contain NaN");
            }
            if (s > threshold) {
                count++;
            }
        }
        return count;
    }

    private static double[] sortedCopy(double[] scores, String name) {
        double[] copy = scores.clone();
        for (double s : copy) {
            // NaN has no place in a ranking; Arrays.sort would quietly put it last.
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException(name + " contain NaN");
            }
        }
        Arrays.sort(copy);
        return copy;
    }
}
