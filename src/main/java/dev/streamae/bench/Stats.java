package dev.streamae.bench;

import java.util.Arrays;
import java.util.List;

/** Medians of repeated runs and latency percentiles. */
public final class Stats {

    private Stats() {
    }

    /** The median (mean of the middle two for an even count); NaN for no values. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * The nearest-rank percentile of {@code values} (which need not be sorted): the smallest value
     * with at least {@code q} of all values at or below it. q = 0.99 of 100 values is the 99th smallest.
     *
     * @throws IllegalArgumentException for no values or q outside (0, 1]
     */
    public static long percentile(long[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + q);
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
