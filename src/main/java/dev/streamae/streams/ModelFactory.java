package dev.streamae.streams;

import dev.streamae.model.Architecture;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ErrorMetric;

/**
 * Creates fresh networks for the topologies. Production passes the DL4J implementation; topology
 * tests pass a small deterministic fake, so they exercise the stream logic and not DL4J.
 */
@FunctionalInterface
public interface ModelFactory {

    /** A freshly initialised network (the trainer's starting point; the scorer restores into it). */
    Autoencoder create(Architecture architecture, ErrorMetric metric);
}
