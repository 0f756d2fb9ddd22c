package dev.streamae.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;

/**
 * A published model: what the trainer writes to the {@code models} topic and what a scorer loads.
 * Encoded by {@link SnapshotCodec}. The calibration travels with the parameters so that a scorer
 * never judges a model's errors against another model's idea of normal.
 *
 * @param modelName the model's name (the topic key), 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes
 * @param modelVersion increases with every snapshot the trainer publishes
 * @param architecture layer sizes; must match {@code parameters}
 * @param metric the error metric the calibration is expressed in
 * @param examplesSeen training examples folded into the model
 * @param steps optimiser steps taken
 * @param examplesToWarmUp examples the model still needs before alerts may fire; 0 once warmed up
 * @param calibration what normal errors cost, or {@code null} while too few errors were seen
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
        long examplesToWarmUp,
        Calibration calibration,
        Instant createdAt,
        float[] parameters,
        float[] optimiserState) {

    /** Longest model name in UTF-8 bytes; names are Kafka keys and file names, not prose. */
    public static final int MAX_NAME_BYTES = 255;

    public Snapshot {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(metric, "metric");
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
        requireNonNegative(examplesToWarmUp, "examples to warm up");
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
            long examplesSeen, long examplesToWarmUp, Calibration calibration, Instant createdAt) {
        return new Snapshot(modelName, modelVersion, state.architecture(), metric, examplesSeen, state.steps(),
                examplesToWarmUp, calibration, createdAt, state.parameters(), state.optimiserState());
    }

    public ModelState toModelState() {
        return new ModelState(architecture, parameters, optimiserState, steps);
    }

    public boolean hasOptimiserState() {
        return optimiserState != null;
    }

    /** Whether alerts may fire: the model has warmed up and has a calibration. */
    public boolean alerting() {
        return examplesToWarmUp == 0 && calibration != null;
    }

    /** The same snapshot without the optimiser state (what scorers need: about a third the size). */
    public Snapshot withoutOptimiserState() {
        return new Snapshot(modelName, modelVersion, architecture, metric, examplesSeen, steps, examplesToWarmUp,
                calibration, createdAt, parameters, null);
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

    // Records compare arrays by reference; snapshots are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s
                && modelName.equals(s.modelName) && modelVersion == s.modelVersion
                && architecture.equals(s.architecture) && metric == s.metric
                && examplesSeen == s.examplesSeen && steps == s.steps && examplesToWarmUp == s.examplesToWarmUp
                && Objects.equals(calibration, s.calibration) && createdAt.equals(s.createdAt)
                && Arrays.equals(parameters, s.parameters) && Arrays.equals(optimiserState, s.optimiserState);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelName, modelVersion, architecture, metric, examplesSeen, steps, examplesToWarmUp,
                calibration, createdAt, Arrays.hashCode(parameters), Arrays.hashCode(optimiserState));
    }

    /** Summary without the (hundreds of thousands of) floats. */
    @Override
    public String toString() {
        return "Snapshot[" + modelName + " v" + modelVersion + ", " + architecture + ", " + metric.id()
                + ", examplesSeen=" + examplesSeen + ", steps=" + steps + ", examplesToWarmUp=" + examplesToWarmUp
                + ", " + (calibration == null ? "no calibration" : calibration) + ", createdAt=" + createdAt + ", "
                + parameters.length + " parameters, "
                + (optimiserState == null ? "no optimiser state" : optimiserState.length + " optimiser values") + "]";
    }
}
