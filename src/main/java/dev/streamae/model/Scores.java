package dev.streamae.model;

/**
 * One forward pass over a batch.
 *
 * @param codes the bottleneck codes, {@code [rows][codeSize]}
 * @param reconstructions the decoder outputs, {@code [rows][inputSize]}, or null when not asked for
 *     ({@link Autoencoder#codesAndErrors})
 * @param errors each row's reconstruction error under the model's metric
 */
public record Scores(float[][] codes, float[][] reconstructions, double[] errors) {

    public int size() {
        return errors.length;
    }
}
