package dev.streamae.model;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the autoencoder the service runs, on the engine {@code model.engine} asks for
 * ({@link EngineChoice}). {@code auto}, the default, runs {@link VectorAutoencoder} when the JVM
 * has the Vector API ({@code --add-modules jdk.incubator.vector}, which the launcher, the image
 * and the build pass) on SIMD registers of at least 256 bits, and otherwise the DL4J network,
 * which computes the same model several times slower, with a warning naming the flag to add.
 *
 * <p>{@code vector} where the vector engine cannot run stops the service at start-up with that
 * reason instead of falling back: whoever names the engine has sized for its speed (about ten
 * times DL4J's here), and a trainer or scorer silently running at a tenth of it would show up
 * only later, as lag. {@code auto} is the setting that falls back. {@code dl4j} runs the reference
 * network on purpose (to compare, or where the vector engine is not wanted). The engine in use is
 * logged once per JVM and setting.
 */
public final class Autoencoders {

    private static final Logger LOG = LoggerFactory.getLogger(Autoencoders.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Why the vector engine cannot run in this JVM, or null when it can. */
    private static final String VECTOR_MISSING = vectorMissing();
    private static final Set<EngineChoice> LOGGED = ConcurrentHashMap.newKeySet();
    private static final int WARM_UP_STEPS = 200;
    private static final int WARM_UP_BATCH = 64;
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    /** The two implementations of the same model. */
    public enum Engine { VECTOR, DL4J }

    private Autoencoders() {
    }

    /** The engine {@code model.engine=auto} runs in this JVM. */
    public static Engine engine() {
        return engine(EngineChoice.AUTO);
    }

    /**
     * The engine {@code choice} runs in this JVM, logged the first time.
     *
     * @throws IllegalStateException for {@link EngineChoice#VECTOR} where the vector engine cannot run, with the reason
     */
    public static Engine engine(EngineChoice choice) {
        Engine engine = select(choice, VECTOR_MISSING);
        if (LOGGED.add(choice)) {
            if (engine == Engine.VECTOR) {
                LOG.info("Model engine: vector ({} floats per register, model.engine={})", VectorKernels.LANES,
                        choice.id());
            } else if (choice == EngineChoice.DL4J) {
                LOG.info("Model engine: DL4J (model.engine=dl4j)");
            } else {
                LOG.warn("Running the model on DL4J, several times slower: {}", VECTOR_MISSING);
            }
        }
        return engine;
    }

    /** The engine for {@code choice} when {@code vectorMissing} says why the vector engine cannot run (null: it can). */
    static Engine select(EngineChoice choice, String vectorMissing) {
        return switch (choice) {
            case AUTO -> vectorMissing == null ? Engine.VECTOR : Engine.DL4J;
            case DL4J -> Engine.DL4J;
            case VECTOR -> {
                if (vectorMissing != null) {
                    throw new IllegalStateException("model.engine=vector, but " + vectorMissing
                            + " (model.engine=auto falls back to DL4J)");
                }
                yield Engine.VECTOR;
            }
        };
    }

    /** A new model with the seed's torch-like initial parameters for {@code seed}, on the {@code auto} engine. */
    public static Autoencoder create(Architecture architecture, ErrorMetric metric, double learningRate, long seed) {
        return create(engine(), architecture, metric, learningRate, seed);
    }

    /** A new model on a given engine (the bench compares them). */
    public static Autoencoder create(Engine engine, Architecture architecture, ErrorMetric metric,
            double learningRate, long seed) {
        return engine == Engine.VECTOR
                ? new VectorAutoencoder(architecture, metric, learningRate, seed)
                : new Dl4jAutoencoder(architecture, metric, learningRate, seed);
    }

    /** A model holding {@code snapshot}'s parameters, with its metric, on the {@code auto} engine. */
    public static Autoencoder fromSnapshot(Snapshot snapshot, double learningRate) {
        Autoencoder model = create(snapshot.architecture(), snapshot.metric(), learningRate, 0);
        model.restore(snapshot.toModelState());
        return model;
    }

    /**
     * Runs the vector engine on synthetic batches until the JIT compiler has compiled its kernels,
     * once per JVM (later calls return at once); nothing when {@code engine} is DL4J.
     *
     * <p>Why: until C2 compiles them, Vector API loops run interpreted at a hundredth of their speed
     * (a fresh trainer's first 8,000 images train at 3.6k img/s, the next at 60k), and a service
     * would spend its first minute of traffic, and its first latency budget, on that. About 200
     * training steps and as many small scoring passes on random data, 1-3 s of one core at start.
     */
    public static void warmUp(Engine engine, Architecture architecture) {
        if (engine != Engine.VECTOR || !WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        Autoencoder model = create(Engine.VECTOR, architecture, ErrorMetric.BCE, Dl4jAutoencoder.SEED_LEARNING_RATE, 0);
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

    private static String vectorMissing() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "the JVM was started without --add-modules " + VECTOR_MODULE
                    + " (src/bin/streamae and the container image pass it)";
        }
        if (!VectorAutoencoder.supported()) {
            return "this CPU has no SIMD registers of 256 bits or more for the vector engine";
        }
        return null;
    }
}
