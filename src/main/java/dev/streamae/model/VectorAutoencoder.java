package dev.streamae.model;

import dev.streamae.model.VectorKernels.Activation;
import java.util.Arrays;
import java.util.Objects;

/**
 * The same network, loss and optimiser as {@link Dl4jAutoencoder}, computed by hand-written
 * vector kernels ({@link VectorKernels}) instead of DL4J: the engine the trainer and scorer run on
 * whenever the JDK's Vector API is available (see {@link Autoencoders}).
 *
 * <p>Why a second implementation: DL4J's per-call overhead caps this small network at about a
 * third of PyTorch's training speed on the same core, and the project's target is to train from a
 * Kafka topic at least as fast as PyTorch trains offline. The DL4J network stays the reference:
 * the two agree step by step (same initial parameters for a seed, same torch-scaled MSE gradient,
 * DL4J's Adam arithmetic) and share one state layout, so snapshots move freely between them
 * ({@code VectorAutoencoderTest} proves both).
 *
 * <p>Layout: every layer width is padded with zeros to a multiple of the vector length
 * (12 and 3 become 16 with AVX-512). Padding is exact: padded activations are tanh(0) = 0 or an
 * identity 0, padded weights see zero gradients and Adam moves nothing with a zero gradient, and
 * the padded columns of the sigmoid output are cut from the loss. Weights are stored input-major
 * ({@code W[i][j]} at {@code i * paddedOut + j}) and converted to DL4J's flat order only for
 * {@link #state}/{@link #restore}. Not thread-safe: one instance per thread.
 */
public final class VectorAutoencoder implements Autoencoder {

    /** Largest number of rows scored in one pass; bigger batches are scored in chunks to bound memory. */
    private static final int SCORE_CHUNK_ROWS = 256;

    private final Architecture architecture;
    private final ErrorMetric metric;
    private final float learningRate;
    /** Sizes through the network, input to reconstruction, and the same padded to whole vectors. */
    private final int[] sizes;
    private final int[] padded;
    private final int layers;
    /** Index of the bottleneck layer, whose identity activations are the codes. */
    private final int codeLayer;
    private final int inputSize;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final float[] params;
    private final float[] gradient;
    private final float[] adamM;
    private final float[] adamV;

    /** Rows the buffers below can hold. */
    private int capacity;
    /** Output of each layer, {@code capacity x padded[l + 1]}. */
    private float[][] activations;
    private float[] delta;
    private float[] deltaNext;
    /** The batch, padded to {@code padded[0]} columns when the input width is not a whole number of vectors. */
    private float[] paddedInput;

    private long steps;
    /** Value of {@link #steps} when Adam last started from zero moments (see {@link Dl4jAutoencoder}). */
    private long adamStart;

    public VectorAutoencoder(Architecture architecture, ErrorMetric metric, double learningRate, long seed) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.metric = Objects.requireNonNull(metric, "metric");
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learning rate must be in (0, 1), got " + learningRate);
        }
        this.learningRate = (float) learningRate;
        this.sizes = architecture.allSizes();
        this.layers = sizes.length - 1;
        this.padded = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            padded[i] = VectorKernels.padded(sizes[i]);
        }
        this.codeLayer = Dl4jAutoencoder.codeLayerIndex(architecture);
        this.inputSize = architecture.inputSize();
        this.weightOffset = new int[layers];
        this.biasOffset = new int[layers];
        int length = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = length;
            length += padded[l] * padded[l + 1];
            biasOffset[l] = length;
            length += padded[l + 1];
        }
        this.params = new float[length];
        this.gradient = new float[length];
        this.adamM = new float[length];
        this.adamV = new float[length];
        fromFlat(Dl4jAutoencoder.torchLikeInitialParameters(architecture, seed), 0, params);
    }

    /** Whether this JVM runs the Vector API on real SIMD registers (at least 256 bits wide). */
    static boolean supported() {
        return VectorKernels.SPECIES.vectorBitSize() >= 256;
    }

    @Override
    public Architecture architecture() {
        return architecture;
    }

    @Override
    public ErrorMetric metric() {
        return metric;
    }

    @Override
    public TrainStep train(float[][] batch) {
        return train(batch, false, null);
    }

    /** The training pass already holds the pre-step reconstructions: no extra forward pass. */
    @Override
    public TrainStep trainReconstructing(float[][] batch) {
        return train(batch, true, null);
    }

    /**
     * One forward pass for the whole batch; the skipped rows' output deltas are zeroed, so they add
     * nothing to any gradient, and the loss is scaled by the rows kept: the step of training on the
     * kept rows alone (up to the order in which the kernels add rows up), without the default's
     * second forward pass.
     */
    @Override
    public TrainStep trainSkipping(float[][] batch, double[] skipAbove) {
        if (skipAbove != null && skipAbove.length != (batch == null ? 0 : batch.length)) {
            throw new IllegalArgumentException(skipAbove.length + " skip thresholds for " + batch.length + " rows");
        }
        return train(batch, false, skipAbove);
    }

    /** @param skipAbove per row, the error above which it is not learnt; null learns every row */
    private TrainStep train(float[][] batch, boolean withReconstructions, double[] skipAbove) {
        int rows = batch == null ? 0 : batch.length;
        float[] x = input(batch);
        forward(x, rows);
        float[] y = activations[layers - 1];
        int out = padded[layers];
        double[] errors = new double[rows];
        float[][] reconstructions = withReconstructions ? new float[rows][] : null;
        double squared = 0;
        int learnt = 0;
        for (int r = 0; r < rows; r++) {
            errors[r] = VectorKernels.error(metric, x, r * padded[0], y, r * out, inputSize);
            if (withReconstructions) {
                reconstructions[r] = Arrays.copyOfRange(y, r * out, r * out + inputSize);
            }
            if (skipAbove == null || !(errors[r] > skipAbove[r])) {
                learnt++;
                squared += metric == ErrorMetric.MSE ? errors[r]
                        : VectorKernels.error(ErrorMetric.MSE, x, r * padded[0], y, r * out, inputSize);
            }
        }
        if (learnt == 0) {
            return new TrainStep(Double.NaN, errors, reconstructions, 0);
        }
        backward(x, rows, learnt, learnt < rows ? errors : null, skipAbove);
        int t = (int) Math.min(steps - adamStart, Dl4jAutoencoder.MAX_ADAM_ITERATION) + 1;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(Dl4jAutoencoder.ADAM_BETA2, t))
                / (1 - Math.pow(Dl4jAutoencoder.ADAM_BETA1, t));
        VectorKernels.adam(params, gradient, adamM, adamV, (float) alpha, (float) Dl4jAutoencoder.ADAM_BETA1,
                (float) Dl4jAutoencoder.ADAM_BETA2, (float) Dl4jAutoencoder.ADAM_EPSILON);
        steps++;
        return new TrainStep(squared / learnt, errors, reconstructions, learnt);
    }

    @Override
    public Scores score(float[][] batch) {
        return score(batch, true);
    }

    @Override
    public Scores codesAndErrors(float[][] batch) {
        return score(batch, false);
    }

    private Scores score(float[][] batch, boolean withReconstructions) {
        if (batch != null && batch.length > SCORE_CHUNK_ROWS) {
            return scoreInChunks(batch, withReconstructions);
        }
        int rows = batch == null ? 0 : batch.length;
        float[] x = input(batch);
        forward(x, rows);
        float[] y = activations[layers - 1];
        float[] z = activations[codeLayer];
        int out = padded[layers];
        int code = padded[codeLayer + 1];
        int codeSize = architecture.codeSize();
        float[][] codes = new float[rows][];
        float[][] reconstructions = withReconstructions ? new float[rows][] : null;
        double[] errors = new double[rows];
        for (int r = 0; r < rows; r++) {
            codes[r] = Arrays.copyOfRange(z, r * code, r * code + codeSize);
            if (withReconstructions) {
                reconstructions[r] = Arrays.copyOfRange(y, r * out, r * out + inputSize);
            }
            errors[r] = VectorKernels.error(metric, x, r * padded[0], y, r * out, inputSize);
        }
        return new Scores(codes, reconstructions, errors);
    }

    private Scores scoreInChunks(float[][] batch, boolean withReconstructions) {
        int rows = batch.length;
        float[][] codes = new float[rows][];
        float[][] reconstructions = withReconstructions ? new float[rows][] : null;
        double[] errors = new double[rows];
        for (int from = 0; from < rows; from += SCORE_CHUNK_ROWS) {
            int to = Math.min(rows, from + SCORE_CHUNK_ROWS);
            Scores part = score(Arrays.copyOfRange(batch, from, to), withReconstructions);
            System.arraycopy(part.codes(), 0, codes, from, to - from);
            if (withReconstructions) {
                System.arraycopy(part.reconstructions(), 0, reconstructions, from, to - from);
            }
            System.arraycopy(part.errors(), 0, errors, from, to - from);
        }
        return new Scores(codes, reconstructions, errors);
    }

    /** Checks the batch (see {@link Batches}) and returns it as {@code rows x padded[0]}, buffers sized. */
    private float[] input(float[][] batch) {
        Batches.check(batch, inputSize);
        ensureCapacity(batch.length);
        Batches.copyChecked(batch, inputSize, paddedInput, padded[0]);
        return paddedInput;
    }

    private void ensureCapacity(int rows) {
        if (rows <= capacity) {
            return;
        }
        capacity = Math.max(rows, 2 * capacity);
        activations = new float[layers][];
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            activations[l] = new float[capacity * padded[l + 1]];
            widest = Math.max(widest, padded[l + 1]);
        }
        delta = new float[capacity * widest];
        deltaNext = new float[capacity * widest];
        paddedInput = new float[capacity * padded[0]];
    }

    private void forward(float[] x, int rows) {
        float[] in = x;
        for (int l = 0; l < layers; l++) {
            float[] out = activations[l];
            VectorKernels.multiply(in, padded[l], 1, params, weightOffset[l], out, 0, rows, padded[l], padded[l + 1]);
            VectorKernels.addBiasAndActivate(out, rows, padded[l + 1], params, biasOffset[l], activation(l));
            in = out;
        }
    }

    private Activation activation(int layer) {
        if (layer == layers - 1) {
            return Activation.SIGMOID;
        }
        return layer == codeLayer ? Activation.IDENTITY : Activation.TANH;
    }

    /**
     * Gradients of torch's MSELoss (mean over every real output of the {@code learnt} rows) into
     * {@link #gradient}; rows whose error is above their {@code skipAbove} (when {@code errors} is
     * given) get a zero delta and so contribute nothing.
     */
    private void backward(float[] x, int rows, int learnt, double[] errors, double[] skipAbove) {
        int out = padded[layers];
        float scale = 2f / ((float) learnt * inputSize);
        VectorKernels.sigmoidSquaredErrorDelta(activations[layers - 1], x, rows * out, scale, delta);
        if (out != inputSize) {
            for (int r = 0; r < rows; r++) {
                Arrays.fill(delta, r * out + inputSize, (r + 1) * out, 0f);
            }
        }
        if (errors != null) {
            for (int r = 0; r < rows; r++) {
                if (errors[r] > skipAbove[r]) {
                    Arrays.fill(delta, r * out, (r + 1) * out, 0f);
                }
            }
        }
        for (int l = layers - 1; l >= 0; l--) {
            float[] in = l == 0 ? x : activations[l - 1];
            int nIn = padded[l];
            int nOut = padded[l + 1];
            VectorKernels.multiply(in, 1, nIn, delta, 0, gradient, weightOffset[l], nIn, rows, nOut);
            VectorKernels.columnSums(delta, rows, nOut, gradient, biasOffset[l]);
            if (l > 0) {
                VectorKernels.multiplyTransposed(delta, params, weightOffset[l], deltaNext, rows, nOut, nIn);
                if (l - 1 != codeLayer) {
                    VectorKernels.tanhBackward(deltaNext, in, rows * nIn);
                }
                float[] swap = delta;
                delta = deltaNext;
                deltaNext = swap;
            }
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    /** Parameters and Adam's moments in DL4J's flat order, exactly as {@link Dl4jAutoencoder#state} gives them. */
    @Override
    public ModelState state(boolean withOptimiser) {
        int count = Math.toIntExact(architecture.parameterCount());
        float[] flat = new float[count];
        toFlat(params, flat, 0);
        float[] optimiser = null;
        if (withOptimiser) {
            optimiser = new float[2 * count];
            toFlat(adamM, optimiser, 0);
            toFlat(adamV, optimiser, count);
        }
        return new ModelState(architecture, flat, optimiser, steps);
    }

    /** Same contract as {@link Dl4jAutoencoder#restore}: everything is checked before anything changes. */
    @Override
    public void restore(ModelState state) {
        Objects.requireNonNull(state, "state");
        int count = Math.toIntExact(architecture.parameterCount());
        state.requireRestorableInto(architecture, 2L * count);
        float[] optimiser = state.optimiserState();
        fromFlat(state.parameters(), 0, params);
        if (optimiser != null) {
            fromFlat(optimiser, 0, adamM);
            fromFlat(optimiser, count, adamV);
            adamStart = 0;
        } else {
            Arrays.fill(adamM, 0f);
            Arrays.fill(adamV, 0f);
            adamStart = state.steps();
        }
        steps = state.steps();
    }

    /**
     * Copies {@code internal} (padded, input-major) into DL4J's flat order at {@code at}: per layer
     * the weights column-major ({@code (i, j)} at {@code i + j * nIn}), then the biases.
     */
    private void toFlat(float[] internal, float[] flat, int at) {
        int p = at;
        for (int l = 0; l < layers; l++) {
            int nIn = sizes[l];
            int nOut = sizes[l + 1];
            for (int j = 0; j < nOut; j++) {
                for (int i = 0; i < nIn; i++) {
                    flat[p++] = internal[weightOffset[l] + i * padded[l + 1] + j];
                }
            }
            System.arraycopy(internal, biasOffset[l], flat, p, nOut);
            p += nOut;
        }
    }

    /** The inverse of {@link #toFlat}; padding stays zero. */
    private void fromFlat(float[] flat, int at, float[] internal) {
        Arrays.fill(internal, 0f);
        int p = at;
        for (int l = 0; l < layers; l++) {
            int nIn = sizes[l];
            int nOut = sizes[l + 1];
            for (int j = 0; j < nOut; j++) {
                for (int i = 0; i < nIn; i++) {
                    internal[weightOffset[l] + i * padded[l + 1] + j] = flat[p++];
                }
            }
            System.arraycopy(flat, p, internal, biasOffset[l], nOut);
            p += nOut;
        }
    }
}
