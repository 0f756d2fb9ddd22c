package dev.streamae.bench;

import java.util.List;

/**
 * One measured quantity: every run's value and their median.
 *
 * @param key stable identifier, used to compare with the previous run (e.g. {@code scorer.e2e})
 * @param label what a reader sees in the table
 * @param unit e.g. {@code img/s}, {@code ms}, {@code MB}
 * @param higherIsBetter whether an increase is an improvement
 * @param runs the value of each run, in order
 * @param median the median of {@code runs}
 */
public record Measure(String key, String label, String unit, boolean higherIsBetter, List<Double> runs, double median) {

    public Measure {
        runs = List.copyOf(runs);
    }

    public static Measure of(String key, String label, String unit, boolean higherIsBetter, List<Double> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException(key + ": no runs");
        }
        return new Measure(key, label, unit, higherIsBetter, runs, Stats.median(runs));
    }

    public static Measure rate(String key, String label, List<Double> runs) {
        return of(key, label, "img/s", true, runs);
    }

    public static Measure millis(String key, String label, List<Double> runs) {
        return of(key, label, "ms", false, runs);
    }

    public static Measure megabytes(String key, String label, List<Double> runs) {
        return of(key, label, "MB", false, runs);
    }
}
