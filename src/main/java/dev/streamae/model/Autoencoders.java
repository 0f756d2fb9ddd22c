package dev.streamae.model;

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
