package dev.streamae.streams;

import dev.streamae.model.Autoencoder;
import dev.streamae.model.Snapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models one scorer process serves: per model name, the newest snapshot accepted from
 * {@code models} and, when an operator pinned one ({@code streamae models pin} or
 * {@code rollback}, on {@code model-control}), the pinned snapshot, which is served instead until
 * a tombstone unpins it. The global-store processors offer what they read; scoring tasks ask for
 * the {@link Served served} snapshot of an image's model and for a network on their own stream
 * thread.
 *
 * <p>Every snapshot is checked as it arrives (it decodes, its signature holds when a key is set,
 * its architecture is the scorer's, the model name inside it is its record key) and a newest
 * snapshot must not be older than the one it replaces; a rejected snapshot is logged with its
 * reason and counted, and the model keeps what it had. A pin need not be newer (rolling back is
 * its point). Snapshots of models outside {@code models.allowed}, when that is set, are ignored
 * (the fallback model's excepted): no image can name them.
 *
 * <p>An image's model with nothing served is scored by the {@code models.fallback} model's served
 * snapshot when there is one ({@link Served#scoredBy} names it), else not at all ({@code NO_MODEL}).
 *
 * <p>A network is not thread-safe, so each stream thread keeps its own, one per model in an LRU
 * cache of {@code models.max} networks per thread (every model the deployment admits, so a batch
 * that holds images of all of them reloads no parameters), and reloads the parameters (a
 * sub-millisecond copy) only when the served snapshot of that model changes. When the cache is full
 * the least recently used network is reused for the new model (all share the scorer's architecture)
 * rather than a new one allocated: a thread serving more models than that pays a copy, never a
 * network's allocation, per switch. Swapping, pinning and unpinning need no restart and never block
 * scoring.
 */
public final class ModelRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final StreamAeSettings settings;
    private final ModelFactory factory;
    private final Map<String, Snapshot> newest = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> pinned = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    /** Networks kept per stream thread (about 1 MB each for the seed network): {@code models.max}. */
    private final int networksPerThread;
    private final ThreadLocal<Networks> perThread;

    /**
     * What scores an image of a model.
     *
     * @param snapshot the snapshot that scores
     * @param scoredBy the fallback model's name when the snapshot is the fallback's, else null
     * @param pinned whether the snapshot is a pinned one rather than its model's newest
     */
    public record Served(Snapshot snapshot, String scoredBy, boolean pinned) {
    }

    /** A thread's network and the snapshot it holds. */
    private record Network(Snapshot snapshot, Autoencoder model) {
    }

    /** Least recently used first; the eldest is handed back for reuse when full. */
    private static final class Networks extends LinkedHashMap<String, Network> {
        Networks(int capacity) {
            super(capacity * 2, 0.75f, true);
        }
    }

    public ModelRegistry(StreamAeSettings settings, ModelFactory factory) {
        this.settings = settings;
        this.factory = factory;
        this.networksPerThread = settings.models().max();
        this.perThread = ThreadLocal.withInitial(() -> new Networks(networksPerThread));
    }


    /**
     * Offers a snapshot read from {@code models}. Returns true when it becomes its model's newest;
     * a snapshot that does not decode, does not fit, names another model than its key or is older
     * than the newest is rejected with a logged reason and counted, and the newest stays.
     */
    public boolean offer(String key, byte[] bytes) {
        Snapshot loaded = accept(key, bytes, "snapshot");
        if (loaded == null) {
            return false;
        }
        Snapshot before = newest.get(key);
        if (before != null && loaded.modelVersion() < before.modelVersion()) {
            rejected.incrementAndGet();
            LOG.warn("rejected snapshot version {} of model {}: older than the current version {}",
                    loaded.modelVersion(), key, before.modelVersion());
            return false;
        }
        newest.put(key, loaded);
        // A trainer publishes every few seconds: one INFO line for each model's first, then DEBUG (the
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

    /**
     * Offers a record of {@code model-control}: a snapshot to serve for model {@code key} instead of
     * its newest, or (null bytes, a tombstone) the end of a pin. Returns true when the pin or unpin
     * took effect; a pinned snapshot that fails the checks is rejected and counted, and the model
     * keeps what it served.
     */
    public boolean pin(String key, byte[] bytes) {
        if (bytes == null) {
            Snapshot was = pinned.remove(key);
            if (was != null) {
                LOG.info("model {} unpinned (was version {}): serving its newest again", key, was.modelVersion());
            }
            return was != null;
        }
        Snapshot loaded = accept(key, bytes, "pinned snapshot");
        if (loaded == null) {
            return false;
        }
        pinned.put(key, loaded);
        LOG.info("model {} pinned to version {} ({} examples seen)", key, loaded.modelVersion(), loaded.examplesSeen());
        return true;
    }

    /** The decoded snapshot when it passes the checks every snapshot must pass; null (counted, logged) otherwise. */
    private Snapshot accept(String key, byte[] bytes, String what) {
        ModelRouting routing = settings.models();
        if (!routing.allowed().isEmpty() && !routing.allowed().contains(key) && !routing.fallback().equals(key)) {
            LOG.debug("ignoring a {} of model {}: not in models.allowed", what, key);
            return null;
        }
        Snapshot loaded;
        try {
            loaded = ModelSnapshots.decodePublished(bytes, settings);
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            LOG.warn("rejected a {} of model {} ({} bytes): {}; keeping version {}", what, key,
                    bytes == null ? 0 : bytes.length, e.getMessage(), versionOf(served(key)));
            return null;
        }
        if (!loaded.modelName().equals(key)) {
            rejected.incrementAndGet();
            LOG.warn("rejected a {} under key {}: it is a snapshot of model '{}' (version {}); keeping version {}",
                    what, key, loaded.modelName(), loaded.modelVersion(), versionOf(served(key)));
            return null;
        }
        return loaded;
    }

    /**
     * What scores an image of {@code model}: its pinned snapshot, else its newest, else the fallback
     * model's served one; null when there is none of these.
     */
    public Served served(String model) {
        Served own = own(model);
        if (own != null || !settings.models().hasFallback()) {
            return own;
        }
        String fallback = settings.models().fallback();
        Served byFallback = fallback.equals(model) ? null : own(fallback);
        return byFallback == null ? null : new Served(byFallback.snapshot(), fallback, byFallback.pinned());
    }

    private Served own(String model) {
        Snapshot pin = pinned.get(model);
        if (pin != null) {
            return new Served(pin, null, true);
        }
        Snapshot last = newest.get(model);
        return last == null ? null : new Served(last, null, false);
    }

    /** The newest accepted snapshot of {@code model}, pinned or not; null before the first. */
    public Snapshot newest(String model) {
        return newest.get(model);
    }

    /** The snapshot the default model ({@code model.name}) is served with (a pin included), or null before the first. */
    public Snapshot current() {
        Served s = own(settings.modelName());
        return s == null ? null : s.snapshot();
    }

    /** The version of {@link #current()}, 0 before the first. */
    public long version() {
        Snapshot c = current();
        return c == null ? 0 : c.modelVersion();
    }

    /** The false-alarm rate this process alerts at (its {@code alert.false.alarm.rate}). */
    public double falseAlarmRate() {
        return settings.falseAlarmRate();
    }

    public long rejectedSnapshots() {
        return rejected.get();
    }

    private static long versionOf(Served s) {
        return s == null ? 0 : s.snapshot().modelVersion();
    }

    /** The calling thread's network holding {@code snapshot}'s parameters. */
    Autoencoder modelFor(Snapshot snapshot) {
        Networks mine = perThread.get();
        String name = snapshot.modelName();
        Network held = mine.get(name);
        if (held != null && held.snapshot() == snapshot) {
            return held.model();
        }
        Autoencoder reusable = held != null ? held.model() : null;
        if (reusable == null && mine.size() >= networksPerThread) {
            var eldest = mine.entrySet().iterator();
            reusable = eldest.next().getValue().model();
            eldest.remove();
        }
        Autoencoder model = reusable != null && reusable.architecture().equals(snapshot.architecture())
                && reusable.metric() == snapshot.metric()
                ? reusable : factory.create(snapshot.architecture(), snapshot.metric());
        model.restore(snapshot.toModelState());
        mine.put(name, new Network(snapshot, model));
        return model;
    }
}
