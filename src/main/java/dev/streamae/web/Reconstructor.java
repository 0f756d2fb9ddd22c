package dev.streamae.web;

import dev.streamae.model.Autoencoder;
import dev.streamae.model.Scores;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.ModelFactory;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest model as a network that can reconstruct images for the page. Its parameters are
 * reloaded (a sub-millisecond copy) only when a newer snapshot was accepted; the network itself is
 * rebuilt only if the architecture or metric changed. Confined to the broadcaster thread, because a
 * DL4J network is not thread-safe; the page's images are all rendered there, in one batch per tick.
 */
final class Reconstructor {

    private static final Logger LOG = LoggerFactory.getLogger(Reconstructor.class);

    private final ModelFactory factory;
    private Autoencoder model;
    private long version = -1;

    Reconstructor(ModelFactory factory) {
        this.factory = factory;
    }

    /** Loads {@code snapshot} if it is not the one loaded; returns true when the model changed. */
    boolean update(Snapshot snapshot) {
        if (snapshot == null || snapshot.modelVersion() == version) {
            return false;
        }
        if (model == null || !Objects.equals(model.architecture(), snapshot.architecture())
                || model.metric() != snapshot.metric()) {
            model = factory.create(snapshot.architecture(), snapshot.metric());
        }
        model.restore(snapshot.toModelState());
        version = snapshot.modelVersion();
        LOG.debug("dashboard reconstructs with model version {}", version);
        return true;
    }

    boolean ready() {
        return model != null;
    }

    /** Version of the loaded model, or -1 before the first. */
    long version() {
        return version;
    }

    /** Reconstructions and errors of {@code images} in one forward pass (requires {@link #ready()}). */
    Scores reconstruct(List<float[]> images) {
        return model.score(images.toArray(new float[0][]));
    }
}
