package dev.streamae.streams;

import dev.streamae.model.Autoencoder;
import dev.streamae.model.Snapshot;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest accepted model of one scorer process. The global-store processor offers every
 * snapshot it reads from {@code models}; scoring tasks ask for a network on their own stream
 * thread. A DL4J network is not thread-safe, so each thread keeps its own copy and reloads the
 * parameters (a sub-millisecond copy) only when the accepted version changes: swapping models
 * needs no restart and never blocks scoring.
 */
public final class ModelRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final StreamAeSettings settings;
    private final ModelFactory factory;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final AtomicLong rejected = new AtomicLong();
    private final ThreadLocal<ThreadModel> perThread = new ThreadLocal<>();

    private record ThreadModel(long version, Autoencoder model) {
    }

    public ModelRegistry(StreamAeSettings settings, ModelFactory factory) {
        this.settings = settings;
        this.factory = factory;
    }

    /**
     * Offers a snapshot read from {@code models}. Returns true when it becomes the current model;
     * a snapshot that does not decode, does not fit or is older than the current one is rejected
     * with a logged reason and counted, and the current model stays.
     */
    public boolean offer(String key, byte[] bytes) {
        if (!settings.modelName().equals(key)) {
            LOG.debug("ignoring snapshot of model {} (this scorer serves {})", key, settings.modelName());
            return false;
        }
        Snapshot loaded;
        try {
            loaded = ModelSnapshots.decodePublished(bytes, settings);
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            LOG.warn("rejected a snapshot of model {} ({} bytes): {}; keeping version {}", key,
                    bytes == null ? 0 : bytes.length, e.getMessage(), version());
            return false;
        }
        Snapshot before = current.get();
        if (before != null && loaded.modelVersion() < before.modelVersion()) {
            rejected.incrementAndGet();
            LOG.warn("rejected snapshot version {} of model {}: older than the current version {}",
                    loaded.modelVersion(), key, before.modelVersion());
            return false;
        }
        current.set(loaded);
        // A trainer publishes every few seconds: one INFO line for the first model, then DEBUG (the
        // scorer's status line and the model-version metric show the version in use).
        if (before == null) {
            LOG.info("model {} version {} accepted, the first ({} examples seen, {}); newer versions are logged at DEBUG",
                    key, loaded.modelVersion(), loaded.examplesSeen(), loaded.calibration());
        } else {
            LOG.debug("model {} version {} accepted ({} examples seen, {})", key, loaded.modelVersion(),
                    loaded.examplesSeen(), loaded.calibration());
        }
        return true;
    }

    /** The current snapshot, or null before the first valid one. */
    public Snapshot current() {
        return current.get();
    }

    public long version() {
        Snapshot c = current.get();
        return c == null ? 0 : c.modelVersion();
    }

    /** The false-alarm rate this process alerts at (its {@code alert.false.alarm.rate}). */
    public double falseAlarmRate() {
        return settings.falseAlarmRate();
    }

    public long rejectedSnapshots() {
        return rejected.get();
    }

    /** The calling thread's network holding {@code snapshot}'s parameters. */
    Autoencoder modelFor(Snapshot snapshot) {
        ThreadModel mine = perThread.get();
        if (mine != null && mine.version() == snapshot.modelVersion()) {
            return mine.model();
        }
        Autoencoder model = mine != null && Objects.equals(mine.model().architecture(), snapshot.architecture())
                && mine.model().metric() == snapshot.metric()
                ? mine.model() : factory.create(snapshot.architecture(), snapshot.metric());
        model.restore(snapshot.toModelState());
        perThread.set(new ThreadModel(snapshot.modelVersion(), model));
        return model;
    }
}
