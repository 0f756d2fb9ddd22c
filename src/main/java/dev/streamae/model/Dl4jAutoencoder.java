package dev.streamae.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's autoencoder as a DL4J {@link MultiLayerNetwork}, built to behave like the PyTorch
 * tutorial it replaces rather than like DL4J's defaults.
 *
 * <ul>
 *   <li>Layers: dense tanh encoder, a linear (identity) code layer, dense tanh decoder and a
 *       sigmoid output layer with MSE loss, all float32.
 *   <li>Initialisation: PyTorch's {@code nn.Linear} draws weights <em>and</em> biases from
 *       U(-1/sqrt(fan_in), 1/sqrt(fan_in)). DL4J initialises biases to zero and has no such scheme,
 *       so every parameter is overwritten from a {@link SplittableRandom} seeded with the model
 *       seed; that also makes construction deterministic without relying on ND4J's global RNG.
 *   <li>Loss scale: DL4J's LossMSE plus the updater's division by the batch size yields exactly
 *       the gradient of {@code nn.MSELoss()} (mean over all elements), see {@link CapturingMseLoss}.
 *       Adam is nearly scale-invariant but its epsilon is not, so the scale matters.
 *   <li>Optimiser: Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, epsilon 1e-8). DL4J adds
 *       epsilon to the uncorrected sqrt(v) where PyTorch adds it to the bias-corrected one, making
 *       DL4J's effective epsilon up to 30x larger during the first steps; at 1e-8 against
 *       gradients around 1e-4 this does not matter (measured by the parity run).
 * </ul>
 *
 * <p>Training uses {@code fit()} for a single forward and backward pass per step; the pre-step
 * reconstruction is taken from the loss function, so the prequential errors cost no extra pass.
 * Not thread-safe: one instance per thread.
 */
public final class Dl4jAutoencoder implements Autoencoder {

    private static final Logger LOG = LoggerFactory.getLogger(Dl4jAutoencoder.class);

    /** The seed tutorial's learning rate. */
    public static final double SEED_LEARNING_RATE = 0.005;
    /** PyTorch's Adam defaults. */
    public static final double ADAM_BETA1 = 0.9;
    public static final double ADAM_BETA2 = 0.999;
    public static final double ADAM_EPSILON = 1e-8;

    /**
     * DL4J counts iterations in an {@code int}, and a streaming trainer can outlive 2^31 steps.
     * Adam needs the count only for its bias correction, 1 - beta^t, which no longer differs from
     * 1 in float arithmetic after about 17,000 steps, so the count handed to DL4J is clamped.
     */
    static final int MAX_ADAM_ITERATION = 1 << 30;

    private final Architecture architecture;
    private final ErrorMetric metric;
    private final double learningRate;
    private final MultiLayerNetwork network;
    private final CapturingMseLoss loss;
    /**
     * Index of the bottleneck (code) layer among the network's layers: the last encoder layer,
     * {@code encoderSizes.length - 2} (3 for 784-128-64-12-3). Its activations are the codes.
     */
    private final int codeLayer;
    private final int inputSize;
    /**
     * The last batch's input matrix, refilled when the next batch has as many rows: native
     * allocations are costly (see {@link NdArrays}) and streaming batches often repeat a size.
     */
    private INDArray inputMatrix;

    /** Optimiser steps taken, including those before a {@link #restore}. */
    private long steps;
    /**
     * Value of {@link #steps} when Adam last started from zero moments. Adam's own time step is
     * {@code steps - adamStart}: restoring parameters without optimiser state restarts Adam with
     * fresh bias correction instead of taking the oversized first steps of an uncorrected Adam.
     */
    private long adamStart;

    public Dl4jAutoencoder(Architecture architecture, ErrorMetric metric, double learningRate, long seed) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.metric = Objects.requireNonNull(metric, "metric");
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learning rate must be in (0, 1), got " + learningRate);
        }
        this.learningRate = learningRate;
        this.inputSize = architecture.inputSize();
        this.codeLayer = codeLayerIndex(architecture);
        this.network = new MultiLayerNetwork(configuration(architecture, learningRate, seed));
        network.init();
        // Fetch the loss from the initialised network: DL4J may have copied the configuration.
        this.loss = (CapturingMseLoss) ((BaseOutputLayer) network.getOutputLayer().conf().getLayer()).getLossFn();
        float[] initial = torchLikeInitialParameters(architecture, seed);
        network.setParams(NdArrays.matrix(initial, 1, initial.length));
        // Create the updater now so its state view exists for state()/restore() before any step, and
        // zero it: DL4J may hand out reused workspace memory for it (seen in a test JVM that had run
        // other networks first: a fresh model then reported non-zero Adam moments).
        network.getUpdater();
        updaterState().assign(0);
        LOG.debug("Built autoencoder {} ({} parameters), metric {}, Adam lr {}, seed {}",
                architecture, architecture.parameterCount(), metric.id(), learningRate, seed);
    }

    /** The seed network: 784-128-64-12-3, MSE errors, Adam lr 0.005. */
    public static Dl4jAutoencoder seed(long seed) {
        return new Dl4jAutoencoder(Architecture.SEED, ErrorMetric.MSE, SEED_LEARNING_RATE, seed);
    }

    /**
     * A network holding {@code snapshot}'s model, with the snapshot's error metric (its threshold
     * is expressed in that metric). The learning rate matters only if the model is trained further.
     */
    public static Dl4jAutoencoder fromSnapshot(Snapshot snapshot, double learningRate) {
        Dl4jAutoencoder model = new Dl4jAutoencoder(snapshot.architecture(), snapshot.metric(), learningRate, 0);
        model.restore(snapshot.toModelState());
        return model;
    }

    /** Index of the code layer for {@code architecture}: the last of the encoder's dense layers. */
    public static int codeLayerIndex(Architecture architecture) {
        return architecture.encoderSizes().length - 2;
    }

    private static MultiLayerConfiguration configuration(Architecture arch, double learningRate, long seed) {
        int[] sizes = arch.allSizes();
        int layers = sizes.length - 1;
        int code = codeLayerIndex(arch);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON))
                .list();
        for (int i = 0; i < layers - 1; i++) {
            // No activation on the code, as in the seed (its encoder ends with a bare Linear).
            Activation activation = i == code ? Activation.IDENTITY : Activation.TANH;
            list.layer(new DenseLayer.Builder().nIn(sizes[i]).nOut(sizes[i + 1]).activation(activation).build());
        }
        list.layer(new OutputLayer.Builder(new CapturingMseLoss())
                .nIn(sizes[layers - 1]).nOut(sizes[layers]).activation(Activation.SIGMOID).build());
        return list.build();
    }

    /**
     * Parameters in DL4J's flat order (per layer: weights, then biases), each drawn from
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like PyTorch's {@code nn.Linear.reset_parameters}.
     * Weights and biases of a layer share the bound, so only the layer boundaries matter here.
     */
    static float[] torchLikeInitialParameters(Architecture arch, long seed) {
        int[] sizes = arch.allSizes();
        float[] params = new float[Math.toIntExact(arch.parameterCount())];
        SplittableRandom random = new SplittableRandom(seed);
        int p = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            double bound = 1.0 / Math.sqrt(sizes[i]);
            int count = sizes[i] * sizes[i + 1] + sizes[i + 1];
            for (int k = 0; k < count; k++) {
                params[p++] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
        return params;
    }

    @Override
    public Architecture architecture() {
        return architecture;
    }

    @Override
    public ErrorMetric metric() {
        return metric;
    }

    public double learningRate() {
        return learningRate;
    }

    @Override
    public TrainStep train(float[][] batch) {
        float[] input = Batches.checkAndFlatten(batch, inputSize);
        int rows = batch.length;
        INDArray x = inputMatrix(input, rows);
        network.setIterationCount(adamIteration());
        // An autoencoder's labels are its inputs; fit() only reads them.
        network.fit(x, x);
        steps++;
        float[] output = loss.takeLastOutput();
        if (output == null || output.length != input.length) {
            throw new IllegalStateException("the training pass did not yield a reconstruction of the batch");
        }
        double[] errors = new double[rows];
        float[][] reconstructions = new float[rows][];
        double squared = 0;
        for (int r = 0; r < rows; r++) {
            int offset = r * inputSize;
            errors[r] = metric.of(input, offset, output, offset, inputSize);
            squared += ErrorMetric.MSE.of(input, offset, output, offset, inputSize);
            reconstructions[r] = Arrays.copyOfRange(output, offset, offset + inputSize);
        }
        // Mean of per-row means equals torch's MSELoss over the batch: every row has inputSize values.
        return new TrainStep(squared / rows, errors, reconstructions);
    }

    /** The training pass already holds the pre-step reconstructions: no extra forward pass. */
    @Override
    public TrainStep trainReconstructing(float[][] batch) {
        return train(batch);
    }

    /** Adam's time step for DL4J: steps since Adam (re)started, clamped to DL4J's int counter. */
    private int adamIteration() {
        return (int) Math.min(steps - adamStart, MAX_ADAM_ITERATION);
    }

    private INDArray inputMatrix(float[] input, int rows) {
        if (inputMatrix == null || inputMatrix.rows() != rows) {
            inputMatrix = NdArrays.matrix(input, rows, inputSize);
        } else {
            NdArrays.fill(inputMatrix, input);
        }
        return inputMatrix;
    }

    @Override
    public Scores score(float[][] batch) {
        float[] input = Batches.checkAndFlatten(batch, inputSize);
        int rows = batch.length;
        INDArray x = inputMatrix(input, rows);
        // One inference pass; element 0 is the input, element i + 1 the activations of layer i.
        List<INDArray> activations = network.feedForward(x, false);
        float[][] codes = NdArrays.rows(activations.get(codeLayer + 1));
        float[][] reconstructions = NdArrays.rows(activations.get(activations.size() - 1));
        double[] errors = new double[rows];
        for (int r = 0; r < rows; r++) {
            errors[r] = metric.of(input, r * inputSize, reconstructions[r], 0, inputSize);
        }
        return new Scores(codes, reconstructions, errors);
    }

    @Override
    public long steps() {
        return steps;
    }

    /**
     * The parameters in DL4J's flat order and, if asked, Adam's state view (both moments). The
     * flat order is, layer by layer from input to output, the {@code nIn x nOut} weight matrix in
     * column-major order (weight {@code (i, j)} at {@code i + j * nIn}) followed by the
     * {@code nOut} biases, which is what a plain-Java forward pass over a snapshot needs. The
     * step count is {@link #steps()}; a restored model continues exactly when Adam never restarted
     * (see {@link #restore}).
     */
    @Override
    public ModelState state(boolean withOptimiser) {
        float[] params = NdArrays.rowMajor(network.params());
        float[] optimiser = withOptimiser ? NdArrays.rowMajor(updaterState()) : null;
        return new ModelState(architecture, params, optimiser, steps);
    }

    /**
     * Replaces parameters, optimiser state and step count. Everything is checked before anything
     * changes. Without optimiser state Adam restarts from zero moments and its own bias correction,
     * while {@link #steps()} still continues from the state's count. With optimiser state Adam's
     * time step is taken to be the state's step count, which is exact unless the saved model had
     * itself been restored without optimiser state fewer than ~20,000 steps before (bias correction
     * is 1 after that).
     *
     * @throws IllegalArgumentException if the state belongs to another architecture, has an
     *     optimiser state of the wrong size, a negative step count or a non-finite value
     */
    @Override
    public void restore(ModelState state) {
        Objects.requireNonNull(state, "state");
        INDArray updater = updaterState();
        state.requireRestorableInto(architecture, updater.length());
        float[] optimiser = state.optimiserState();
        network.setParams(NdArrays.matrix(state.parameters(), 1, state.parameters().length));
        if (optimiser != null) {
            updater.assign(NdArrays.matrix(optimiser, 1, optimiser.length).reshape(updater.shape()));
            adamStart = 0;
        } else {
            updater.assign(0);
            adamStart = state.steps();
        }
        steps = state.steps();
        network.setIterationCount(adamIteration());
        LOG.debug("Restored {} at step {} ({} optimiser state)", architecture, steps,
                optimiser != null ? "with" : "without");
    }

    /** The DL4J network itself, for tests that check it against PyTorch's arithmetic. */
    MultiLayerNetwork network() {
        return network;
    }

    private INDArray updaterState() {
        INDArray view = network.getUpdater().getStateViewArray();
        if (view == null) {
            throw new IllegalStateException("DL4J created no Adam state view");
        }
        return view;
    }

}
