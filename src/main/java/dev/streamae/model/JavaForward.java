package dev.streamae.model;

/**
 * The autoencoder's forward pass in plain Java, for small batches. A DL4J call costs a few hundred
 * microseconds whatever the batch size, which is what a scorer at a moderate rate pays most: each
 * of its tasks scores a handful of images every {@code score.max.delay.ms}. In plain Java one image
 * costs a few tens of microseconds (input pixels that are 0, most of a digit, are skipped), so small
 * batches are scored here and large ones by DL4J.
 *
 * <p>Same layers and activations as {@link Dl4jAutoencoder}'s network (tanh, identity code, sigmoid
 * output), float32 weights; sums run in another order than DL4J's, so results agree to about 1e-6,
 * not bit for bit. Immutable: built from a copy of the parameters.
 */
final class JavaForward {

    private final int[] sizes;
    private final int codeLayer;
    /** Per layer, row-major {@code [nIn][nOut]}: one input's weights are contiguous (DL4J keeps them column-major). */
    private final float[][] weights;
    private final float[][] biases;
    private final int widest;

    /**
     * @param params the network's parameters in DL4J's flat order: per layer the {@code nIn x nOut}
     *     weights in column-major order, then the {@code nOut} biases
     */
    JavaForward(Architecture architecture, float[] params) {
        this.sizes = architecture.allSizes();
        this.codeLayer = Dl4jAutoencoder.codeLayerIndex(architecture);
        int layers = sizes.length - 1;
        this.weights = new float[layers][];
        this.biases = new float[layers][];
        int p = 0;
        int max = 0;
        for (int l = 0; l < layers; l++) {
            int nIn = sizes[l];
            int nOut = sizes[l + 1];
            float[] w = new float[nIn * nOut];
            for (int j = 0; j < nOut; j++) {
                for (int i = 0; i < nIn; i++) {
                    w[i * nOut + j] = params[p + i + j * nIn];
                }
            }
            p += nIn * nOut;
            weights[l] = w;
            biases[l] = java.util.Arrays.copyOfRange(params, p, p + nOut);
            p += nOut;
            max = Math.max(max, nOut);
        }
        if (p != params.length) {
            throw new IllegalArgumentException(params.length + " parameters for " + architecture + ", expected " + p);
        }
        this.widest = max;
    }

    /**
     * Codes and reconstructions of {@code rows} rows of {@code input} (row-major, {@code inputSize}
     * values each), written row-major into {@code codes} and {@code output}.
     */
    void forward(float[] input, int rows, float[] codes, float[] output) {
        int inputSize = sizes[0];
        int codeSize = sizes[codeLayer + 1];
        int layers = sizes.length - 1;
        float[] a = new float[widest];
        float[] b = new float[widest];
        for (int r = 0; r < rows; r++) {
            float[] in = input;
            int inOffset = r * inputSize;
            for (int l = 0; l < layers; l++) {
                boolean last = l == layers - 1;
                float[] out = last ? output : (l % 2 == 0 ? a : b);
                int outOffset = last ? r * sizes[layers] : 0;
                dense(l, in, inOffset, out, outOffset);
                int nOut = sizes[l + 1];
                if (last) {
                    for (int j = 0; j < nOut; j++) {
                        out[outOffset + j] = (float) (1 / (1 + Math.exp(-out[outOffset + j])));
                    }
                } else if (l == codeLayer) {
                    System.arraycopy(out, 0, codes, r * codeSize, codeSize);
                } else {
                    for (int j = 0; j < nOut; j++) {
                        out[j] = tanh(out[j]);
                    }
                }
                in = out;
                inOffset = 0;
            }
        }
    }

    /** {@code out = bias + in * W} for layer {@code l}; zero inputs contribute nothing and are skipped. */
    private void dense(int l, float[] in, int inOffset, float[] out, int outOffset) {
        int nIn = sizes[l];
        int nOut = sizes[l + 1];
        float[] w = weights[l];
        System.arraycopy(biases[l], 0, out, outOffset, nOut);
        for (int i = 0; i < nIn; i++) {
            float v = in[inOffset + i];
            if (v != 0f) {
                int base = i * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[outOffset + j] += v * w[base + j];
                }
            }
        }
    }

    /** tanh through one exponential (Math.tanh is not an intrinsic and costs several times more). */
    private static float tanh(float x) {
        if (x > 20f) {
            return 1f;
        }
        if (x < -20f) {
            return -1f;
        }
        double e = Math.exp(2.0 * x);
        return (float) ((e - 1) / (e + 1));
    }
}
