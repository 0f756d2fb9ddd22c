package dev.streamae.model;

/**
 * Validation of input batches, shared by every {@link Autoencoder} implementation.
 *
 * <p>Checking happens in plain Java before any native call, so a bad record can never reach the
 * network half-way (a NaN folded into Adam's moments would poison the model for good) and the
 * message can name the offending row. Validation and flattening share one pass because the
 * network needs a contiguous row-major copy anyway.
 */
final class Batches {

    private Batches() {
    }

    /**
     * Checks {@code batch} against {@code inputSize} and returns it flattened row-major.
     *
     * @throws IllegalArgumentException naming the first problem found: null or empty batch, a null
     *     row, a wrong row length (expected vs actual, with the row index), a non-finite value or a
     *     value outside [0, 1]
     */
    static float[] checkAndFlatten(float[][] batch, int inputSize) {
        check(batch, inputSize);
        float[] flat = new float[batch.length * inputSize];
        copyChecked(batch, inputSize, flat, inputSize);
        return flat;
    }

    /** The checks of {@link #checkAndFlatten} but the values', which {@link #copyChecked} makes. */
    static void check(float[][] batch, int inputSize) {
        if (batch == null) {
            throw new IllegalArgumentException("batch is null");
        }
        if (batch.length == 0) {
            throw new IllegalArgumentException("batch is empty");
        }
        // Lengths first: a wrong-sized row is the likelier mistake and must not cost a full copy.
        for (int r = 0; r < batch.length; r++) {
            float[] row = batch[r];
            if (row == null) {
                throw new IllegalArgumentException("row " + r + " is null");
            }
            if (row.length != inputSize) {
                throw new IllegalArgumentException("row " + r + " has " + row.length
                        + " values, expected " + inputSize);
            }
        }
        if ((long) batch.length * inputSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch of " + batch.length + " rows is too large");
        }
    }

    /**
     * Copies row {@code r} of a {@link #check checked} batch to {@code out[r * stride]}, checking
     * every value: the vector engine reuses one buffer per model this way instead of allocating a
     * batch-sized array per call (at 256 rows, large enough for the collector to treat it as a
     * humongous object).
     */
    static void copyChecked(float[][] batch, int inputSize, float[] out, int stride) {
        for (int r = 0; r < batch.length; r++) {
            float[] row = batch[r];
            for (int i = 0; i < inputSize; i++) {
                float v = row[i];
                // One comparison pair catches NaN too (every comparison with NaN is false).
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException(describe(v) + " at row " + r + ", index " + i
                            + ": pixel values must be finite and within [0, 1]");
                }
            }
            System.arraycopy(row, 0, out, r * stride, inputSize);
        }
    }

    private static String describe(float v) {
        if (Float.isNaN(v)) {
            return "NaN";
        }
        if (Float.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return "value " + v + " out of range";
    }
}
