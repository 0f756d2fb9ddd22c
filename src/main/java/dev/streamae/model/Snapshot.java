package dev.streamae.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;

/**
 * A published model: what the trainer writes to the {@code models} topic and what a scorer loads.
 * Encoded by {@link SnapshotCodec}. The threshold travels with the parameters so that a scorer
 * never pairs a model with a threshold measured on another model's errors.
 *
 * @param modelName the model's name (the topic key), 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes
 * @param modelVersion increases with every snapshot the trainer publishes
 * @param architecture layer sizes; must match {@code parameters}
 * @param metric the error metric the threshold is expressed in
 * @param examplesSeen training examples folded into the model
 * @param steps optimiser steps taken
 * @param threshold the anomaly threshold and the statistics it came from
 * @param createdAt when the snapshot was taken, millisecond precision (the format's)
 * @param parameters flat parameters in {@link Autoencoder#state} order
 * @param optimiserState the optimiser's flat state, or {@code null} when not included
 *
 * <p>The arrays are shared, not copied (they are megabytes and snapshots are taken often): treat
 * them as read-only.
 */
public record Snapshot(
        String modelName,
        long modelVersion,
        Architecture architecture,
        ErrorMetric metric,
        long examplesSeen,
        long steps,
        Threshold threshold,
        Instant createdAt,
        float[] parameters,
        float[] optimiserState) {

    /** Longest model name in UTF-8 bytes; names are Kafka keys and file names, not prose. */
    public static final int MAX_NAME_BYTES = 255;

    public Snapshot {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(parameters, "parameters");
        int nameBytes = modelName.getBytes(StandardCharsets.UTF_8).length;
        if (modelName.isBlank() || nameBytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("model name must be 1 to " + MAX_NAME_BYTES
                    + " UTF-8 bytes and not blank, got " + nameBytes + " bytes");
        }
        requireNonNegative(modelVersion, "model version");
        requireNonNegative(examplesSeen, "examples seen");
        requireNonNegative(steps, "step count");
        if (parameters.length != architecture.parameterCount()) {
            throw new IllegalArgumentException("parameter count mismatch: architecture " + architecture
                    + " has " + architecture.parameterCount() + " parameters, got " + parameters.length);
        }
        if (optimiserState != null && optimiserState.length == 0) {
            throw new IllegalArgumentException("optimiser state is empty: use null for none");
        }
        // The format stores milliseconds; truncating here makes encode/decode an exact round trip.
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** A snapshot of {@code state} (its architecture, parameters, optimiser state and steps). */
    public static Snapshot of(String modelName, long modelVersion, ModelState state, ErrorMetric metric,
            long examplesSeen, Threshold threshold, Instant createdAt) {
        return new Snapshot(modelName, modelVersion, state.architecture(), metric, examplesSeen, state.steps(),
                threshold, createdAt, state.parameters(), state.optimiserState());
    }

    public ModelState toModelState() {
        return new ModelState(architecture, parameters, optimiserState, steps);
    }

    public boolean hasOptimiserState() {
        return optimiserState != null;
    }

    /** The same snapshot without the optimiser state (what scorers need: about a third the size). */
    public Snapshot withoutOptimiserState() {
        return new Snapshot(modelName, modelVersion, architecture, metric, examplesSeen, steps, threshold,
                createdAt, parameters, null);
    }

    /**
     * Checks that this snapshot fits a model of shape {@code expected}.
     *
     * @throws InvalidSnapshotException naming both shapes when they differ
     */
    public Snapshot requireArchitecture(Architecture expected) {
        if (!architecture.equals(expected)) {
            throw new InvalidSnapshotException("wrong architecture: snapshot '" + modelName + "' v" + modelVersion
                    + " is " + architecture + ", the model here is " + expected);
        }
        return this;
    }

    private static void requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + value);
        }
    }

    /**
     * The anomaly threshold and the window statistics it was computed from.
     *
     * @param value the threshold (an error above it is an anomaly); 0 while warming up
     * @param quantile the quantile of the window's errors the threshold was set at, in (0, 1)
     * @param windowCount how many errors the window held
     * @param windowMean mean of the window's errors
     * @param windowStd standard deviation of the window's errors
     * @param examplesToWarmUp examples still needed before alerts may fire; 0 once warmed up
     */
    public record Threshold(double value, double quantile, long windowCount, double windowMean,
            double windowStd, long examplesToWarmUp) {

        public Threshold {
            // Every metric (MSE, MAE, BCE) is a mean of non-negative terms.
            requireFiniteNonNegative(value, "threshold");
            requireFiniteNonNegative(windowMean, "window mean");
            requireFiniteNonNegative(windowStd, "window standard deviation");
            if (!(quantile > 0 && quantile < 1)) {
                throw new IllegalArgumentException("threshold quantile must be in (0, 1), got " + quantile);
            }
            requireNonNegative(windowCount, "window count");
            requireNonNegative(examplesToWarmUp, "examples to warm up");
        }

        /** A threshold not yet known: the model still needs {@code examplesToWarmUp} examples. */
        public static Threshold warmingUp(double quantile, long examplesToWarmUp) {
            return new Threshold(0, quantile, 0, 0, 0, examplesToWarmUp);
        }

        /** The {@code quantile} of the errors in {@code window}, which must not be empty, with its statistics. */
        public static Threshold of(ThresholdWindow window, double quantile, long examplesToWarmUp) {
            return new Threshold(window.quantile(quantile), quantile, window.count(), window.mean(), window.std(),
                    examplesToWarmUp);
        }

        /**
         * The {@code quantile} of {@code errors}, warmed up: for a model trained offline, whose
         * threshold comes from held-out errors rather than from a stream's window.
         */
        public static Threshold ofErrors(double[] errors, double quantile) {
            if (errors.length == 0) {
                throw new IllegalArgumentException("a threshold needs at least one error");
            }
            ThresholdWindow window = new ThresholdWindow(errors.length);
            for (double e : errors) {
                window.add(e);
            }
            return of(window, quantile, 0);
        }

        public boolean warmedUp() {
            return examplesToWarmUp == 0;
        }

        private static void requireFiniteNonNegative(double v, String what) {
            if (!(Double.isFinite(v) && v >= 0)) {
                throw new IllegalArgumentException(what + " must be finite and non-negative, got " + v);
            }
        }
    }

    // Records compare arrays by reference; snapshots are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s
                && modelName.equals(s.modelName) && modelVersion == s.modelVersion
                && architecture.equals(s.architecture) && metric == s.metric
                && examplesSeen == s.examplesSeen && steps == s.steps
                && threshold.equals(s.threshold) && createdAt.equals(s.createdAt)
                && Arrays.equals(parameters, s.parameters) && Arrays.equals(optimiserState, s.optimiserState);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelName, modelVersion, architecture, metric, examplesSeen, steps, threshold, createdAt,
                Arrays.hashCode(parameters), Arrays.hashCode(optimiserState));
    }

    /** Summary without the (hundreds of thousands of) floats. */
    @Override
    public String toString() {
        return "Snapshot[" + modelName + " v" + modelVersion + ", " + architecture + ", " + metric.id()
                + ", examplesSeen=" + examplesSeen + ", steps=" + steps + ", " + threshold + ", createdAt="
                + createdAt + ", " + parameters.length + " parameters, "
                + (optimiserState == null ? "no optimiser state" : optimiserState.length + " optimiser values") + "]";
    }
}
