package dev.streamae.streams;

import dev.streamae.model.Autoencoders;
import dev.streamae.model.Architecture;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ErrorMetric;

/**
 * Creates fresh networks for the topologies. Production passes {@link #of(StreamAeSettings)}, the
 * real model on the fastest engine ({@link Autoencoders}); topology tests pass a small
 * deterministic fake, so they exercise the stream logic and not the network.
 */
@FunctionalInterface
public interface ModelFactory {

    /** A freshly initialised network (the trainer's starting point; the scorer restores into it). */
    Autoencoder create(Architecture architecture, ErrorMetric metric);

    /** The real model with the configured learning rate and seed; warms the engine up first (see {@link Autoencoders#warmUp}). */
    static ModelFactory of(StreamAeSettings settings) {
        Autoencoders.warmUp(settings.architecture());
        return (architecture, metric) -> Autoencoders.create(architecture, metric, settings.learningRate(), settings.seed());
    }
}
