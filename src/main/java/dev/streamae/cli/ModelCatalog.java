package dev.streamae.cli;

import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code streamae models} knows of the models, read from the topics (no state of its own): the
 * newest {@code training-metrics} record of each model, the pins on {@code model-control}, and, for
 * one model in focus, the versions kept on {@code model-history} with their bytes. Only the focus
 * model's history is decoded and held: the topic holds up to {@code models.history.versions}
 * snapshots of every model, about 1 MB each, and listing the models does not read it at all.
 *
 * <p>Snapshots are decoded with the configured {@code snapshot.signing.key} when there is one, so a
 * version whose signature does not hold is not offered for pinning (a scorer would reject it); a
 * record that does not decode, or whose content does not match its key, is counted in
 * {@link #unreadable} and left out.
 */
final class ModelCatalog {

    /** A version kept on {@code model-history}, or the pinned one on {@code model-control}. */
    record Version(long version, Instant createdAt, long examplesSeen, byte[] bytes) {
        static Version of(Snapshot s, byte[] bytes) {
            return new Version(s.modelVersion(), s.createdAt(), s.examplesSeen(), bytes);
        }
    }

    final Map<String, TrainingMetrics> metrics = new TreeMap<>();
    final Map<String, Version> pins = new TreeMap<>();
    /** The focus model's kept versions, by version. */
    final NavigableMap<Long, Version> history = new TreeMap<>();
    int unreadable;

    private ModelCatalog() {
    }

    /**
     * Reads {@code training-metrics} and {@code model-control}, and {@code model-history} when
     * {@code focus} names a model.
     */
    static ModelCatalog read(Map<String, Object> clientConfig, SnapshotCodec codec, Duration timeout, String focus) {
        ModelCatalog catalog = new ModelCatalog();
        JsonSerde<TrainingMetrics> serde = JsonSerde.of(TrainingMetrics.class);
        TopicReader.readToEnd(clientConfig, Topics.TRAINING_METRICS, timeout, (key, value) -> {
            if (key == null || value == null) {
                return;
            }
            try {
                catalog.metrics.put(key, serde.fromBytes(value));
            } catch (RuntimeException e) {
                catalog.unreadable++;
            }
        });
        TopicReader.readToEnd(clientConfig, Topics.MODEL_CONTROL, timeout, (key, value) -> {
            if (key == null) {
                return;
            }
            Version pin = value == null ? null : catalog.decode(codec, key, -1, value);
            if (pin == null) {
                catalog.pins.remove(key);
            } else {
                catalog.pins.put(key, pin);
            }
        });
        if (focus != null) {
            String prefix = focus + "@";
            TopicReader.readToEnd(clientConfig, Topics.MODEL_HISTORY, timeout, (key, value) -> {
                if (key == null || !key.startsWith(prefix)) {
                    return;
                }
                long version;
                try {
                    version = Long.parseLong(key.substring(prefix.length()));
                } catch (NumberFormatException e) {
                    catalog.unreadable++;
                    return;
                }
                Version kept = value == null ? null : catalog.decode(codec, focus, version, value);
                if (kept == null) {
                    catalog.history.remove(version);
                } else {
                    catalog.history.put(version, kept);
                }
            });
        }
        return catalog;
    }

    /** The snapshot's version if it is one of {@code model} (at {@code version}, unless -1); null and counted otherwise. */
    private Version decode(SnapshotCodec codec, String model, long version, byte[] bytes) {
        try {
            Snapshot s = codec.decode(bytes);
            if (s.modelName().equals(model) && (version < 0 || s.modelVersion() == version)) {
                return Version.of(s, bytes);
            }
        } catch (RuntimeException e) {
            // Counted below: a scorer would reject it too.
        }
        unreadable++;
        return null;
    }

    /** Every model with a training-metrics record or a pin. */
    Set<String> names() {
        Set<String> names = new TreeSet<>(metrics.keySet());
        names.addAll(pins.keySet());
        return names;
    }

    /** Whether anything is known of {@code model} (its history counts when it is the focus). */
    boolean knows(String model) {
        return metrics.containsKey(model) || pins.containsKey(model) || !history.isEmpty();
    }

    /** The newest published version of {@code model}: its last training-metrics record's, else the newest kept; 0 if none. */
    long published(String model) {
        TrainingMetrics m = metrics.get(model);
        if (m != null) {
            return m.modelVersion();
        }
        return history.isEmpty() ? 0 : history.lastKey();
    }

    /** The version scorers serve for {@code model}: its pin's, else the newest published. */
    long served(String model) {
        Version pin = pins.get(model);
        return pin != null ? pin.version() : published(model);
    }
}
