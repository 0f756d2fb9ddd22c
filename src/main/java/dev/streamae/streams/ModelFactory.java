package dev.streamae.streams;

import dev.streamae.model.Autoencoders;
import dev.streamae.model.Architecture;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ErrorMetric;

/**
 * Creates fresh networks for the topologies. Production passes {@link #of(StreamAeSettings)}, the
 * real model on the engine {@code model.engine} selects ({@link Autoencoders}); most topology
 * tests pass a small deterministic fake, so they exercise the stream logic and not the network.
 */
@FunctionalInterface
public interface ModelFactory {

    /** A freshly initialised network (the trainer's starting point; the scorer restores into it). */
    Autoencoder create(Architecture architecture, ErrorMetric metric);

    /**
     * The real model on the configured engine, with the configured learning rate and seed; warms
     * the engine up first (see {@link Autoencoders#warmUp}). Called at start-up, so a
     * {@code model.engine} this JVM cannot run stops the service before it reads anything.
     *
     * @throws IllegalStateException when {@code model.engine=vector} and the vector engine cannot run here
     */
    static ModelFactory of(StreamAeSettings settings) {
        Autoencoders.Engine engine = Autoencoders.engine(settings.engine());
        Autoencoders.warmUp(engine, settings.architecture());
        return (architecture, metric) -> Autoencoders.create(engine, architecture, metric, settings.learningRate(),
                settings.seed());
    }
}
