package dev.streamae.streams;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keys of one model's checkpoint in the trainer's state store: {@code <model>/<part>}. Model names
 * cannot hold a '/' ({@link ModelRouting}), so no model's keys can be read as another's.
 *
 * <p>A trainer written before models had names kept one model under the bare part names
 * ({@code model}, {@code progress}, ...). Those are the default model's: {@link #migrate} copies
 * them to its keys and deletes them, in the transaction of the task's start, so an upgraded
 * deployment goes on from where it was.
 */
final class StateKeys {

    static final String SEPARATOR = "/";
    static final String MODEL = "model";
    static final String CALIBRATOR = "alert-calibrator";
    static final String PROGRESS = "progress";
    static final String SEQ = "replay-from-seq";
    static final String HISTORY = "history";
    /** Marks a model as admitted to this task (see {@link TrainingProcessor}'s models.max). */
    static final String ADMITTED = "admitted";
    private static final String[] LEGACY_PARTS = {MODEL, CALIBRATOR, PROGRESS, SEQ};

    private final String model;

    StateKeys(String model) {
        this.model = model;
    }

    static String key(String model, String part) {
        return model + SEPARATOR + part;
    }

    /** The model a key of the state store belongs to, or null for a bare (legacy) key. */
    static String modelOf(String key) {
        int at = key.lastIndexOf(SEPARATOR);
        return at < 0 ? null : key.substring(0, at);
    }

    static String partOf(String key) {
        return key.substring(key.lastIndexOf(SEPARATOR) + 1);
    }

    /** Moves an older trainer's bare keys to {@code defaultModel}'s, unless that model has keys of its own. */
    static void migrate(KeyValueStore<String, byte[]> state, String defaultModel) {
        if (state.get(key(defaultModel, PROGRESS)) != null) {
            return;
        }
        for (String part : LEGACY_PARTS) {
            byte[] old = state.get(part);
            if (old != null) {
                state.put(key(defaultModel, part), old);
                state.delete(part);
            }
        }
    }

    byte[] get(KeyValueStore<String, byte[]> state, String part) {
        return state.get(key(model, part));
    }

    void put(KeyValueStore<String, byte[]> state, String part, byte[] value) {
        state.put(key(model, part), value);
    }
}
