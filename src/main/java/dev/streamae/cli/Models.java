package dev.streamae.cli;

import dev.streamae.model.Dl4jAutoencoder;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;

/** Wires the DL4J network into the topologies. */
final class Models {

    private Models() {
    }

    static ModelFactory factory(StreamAeSettings settings) {
        return (architecture, metric) -> new Dl4jAutoencoder(architecture, metric, settings.learningRate(), settings.seed());
    }
}
