package dev.streamae.model;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the autoencoder the service runs: {@link VectorAutoencoder} when the JVM has the Vector
 * API ({@code --add-modules jdk.incubator.vector}, which the launcher, the image and the build
 * pass) on SIMD registers of at least 256 bits, otherwise the DL4J network, which computes the same
 * model several times slower. The choice is logged once, with the flag to add when it fell back.
 */
public final class Autoencoders {

    private static final Logger LOG = LoggerFactory.getLogger(Autoencoders.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final Engine ENGINE = detect();
    private static final int WARM_UP_STEPS = 200;
    private static final int WARM_UP_BATCH = 64;
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    /** The two implementations of the same model. */
    public enum Engine { VECTOR, DL4J }

    private Autoencoders() {
    }

    /** The engine {@link #create} uses in this JVM. */
    public static Engine engine() {
        return ENGINE;
    }

    /** A new model with the seed's torch-like initial parameters for {@code seed}, on the best engine. */
    public static Autoencoder create(Architecture architecture, ErrorMetric metric, double learningRate, long seed) {
        return create(ENGINE, architecture, metric, learningRate, seed);
    }

    /** A new model on a given engine (the bench compares them). */
    public static Autoencoder create(Engine engine, Architecture architecture, ErrorMetric metric,
            double learningRate, long seed) {
        return engine == Engine.VECTOR
                ? new VectorAutoencoder(architecture, metric, learningRate, seed)
                : new Dl4jAutoencoder(architecture, metric, learningRate, seed);
    }

    /** A model holding {@code snapshot}'s parameters, with its metric, on the best engine. */
    public static Autoencoder fromSnapshot(Snapshot snapshot, double learningRate) {
        Autoencoder model = create(snapshot.architecture(), snapshot.metric(), learningRate, 0);
        model.restore(snapshot.toModelState());
        return model;
    }

    /**
     * Runs the vector engine on synthetic batches until the JIT compiler has compiled its kernels,
     * once per JVM (later calls return at once); nothing for DL4J.
     *
     * <p>Why: until C2 compiles them, Vector API loops run interpreted at a hundredth of their speed
     * (a fresh trainer's first 8,000 images train at 3.6k img/s, the next at 60k), and a service
     * would spend its first minute of traffic, and its first latency budget, on that. About 200
     * training steps and as many small scoring passes on random data, 1-3 s of one core at start.
     */
    public static void warmUp(Architecture architecture) {
        if (ENGINE != Engine.VECTOR || !WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        Autoencoder model = create(architecture, ErrorMetric.BCE, Dl4jAutoencoder.SEED_LEARNING_RATE, 0);
        SplittableRandom random = new SplittableRandom(0);
        float[][] batch = new float[WARM_UP_BATCH][architecture.inputSize()];
        for (float[] row : batch) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) random.nextDouble();
            }
        }
        for (int step = 0; step < WARM_UP_STEPS; step++) {
            model.train(batch);
            model.score(Arrays.copyOf(batch, 1 + step % WARM_UP_BATCH));
        }
        LOG.info("Vector engine warmed up in {} ms ({} training steps, {} scoring passes)",
                (System.nanoTime() - start) / 1_000_000, WARM_UP_STEPS, WARM_UP_STEPS);
    }

    private static Engine detect() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            LOG.warn("Running the model on DL4J, several times slower: start the JVM with --add-modules {} "
                    + "(src/bin/streamae and the container image do) to use the vector engine", VECTOR_MODULE);
            return Engine.DL4J;
        }
        if (!VectorAutoencoder.supported()) {
            LOG.warn("Running the model on DL4J: this CPU has no SIMD registers of 256 bits or more for the vector engine");
            return Engine.DL4J;
        }
        LOG.info("Model engine: vector ({} floats per register)", VectorKernels.LANES);
        return Engine.VECTOR;
    }
}
