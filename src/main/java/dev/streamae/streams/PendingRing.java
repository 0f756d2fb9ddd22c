package dev.streamae.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The trainer's logged examples, a ring of slots per model in one logged store (see
 * {@link ModelLane}). Key: the model name in UTF-8, a zero byte, the slot as a 4-byte big-endian
 * number, so one model's slots are one key range. Value: the example's sequence number (8 bytes),
 * then the bytes it was logged as.
 *
 * <p>An older trainer kept one model's ring under 8-byte keys (the slot as a long, so its first
 * byte is zero, which no model name starts with): those are the default model's, moved to its own
 * keys when it is loaded.
 */
final class PendingRing {

    private final KeyValueStore<byte[], byte[]> store;

    PendingRing(KeyValueStore<byte[], byte[]> store) {
        this.store = store;
    }

    static byte[] key(String model, int slot) {
        byte[] name = model.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(name.length + 1 + Integer.BYTES).put(name).put((byte) 0).putInt(slot).array();
    }

    void put(String model, long seq, int ringSlots, byte[] logged) {
        store.put(key(model, (int) (seq % ringSlots)),
                ByteBuffer.allocate(Long.BYTES + logged.length).putLong(seq).put(logged).array());
    }

    /** Moves an older trainer's entries (8-byte slot keys) to {@code defaultModel}'s keys. */
    void migrate(String defaultModel, int ringSlots) {
        List<KeyValue<byte[], byte[]>> legacy = new ArrayList<>();
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                if (kv.key.length == Long.BYTES && kv.key[0] == 0) {
                    legacy.add(kv);
                }
            }
        }
        for (KeyValue<byte[], byte[]> kv : legacy) {
            store.delete(kv.key);
            long seq = ByteBuffer.wrap(kv.value).getLong();
            store.put(key(defaultModel, (int) (seq % ringSlots)), kv.value);
        }
    }

    /** Every logged example of {@code model} as (sequence number, logged bytes), in no order. */
    List<KeyValue<Long, byte[]>> entries(String model) {
        List<KeyValue<Long, byte[]>> out = new ArrayList<>();
        try (KeyValueIterator<byte[], byte[]> it = store.range(key(model, 0), key(model, Integer.MAX_VALUE))) {
            while (it.hasNext()) {
                byte[] value = it.next().value;
                out.add(KeyValue.pair(ByteBuffer.wrap(value).getLong(), Arrays.copyOfRange(value, Long.BYTES, value.length)));
            }
        }
        return out;
    }

    /** Deletes every slot of {@code model}. */
    void deleteAll(String model) {
        List<byte[]> keys = new ArrayList<>();
        try (KeyValueIterator<byte[], byte[]> it = store.range(key(model, 0), key(model, Integer.MAX_VALUE))) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        keys.forEach(store::delete);
    }

    /** The models with logged examples, from the keys (after {@link #migrate}). */
    java.util.Set<String> models() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                byte[] key = it.next().key;
                if (key.length > 1 + Integer.BYTES) {
                    names.add(new String(key, 0, key.length - 1 - Integer.BYTES, StandardCharsets.UTF_8));
                }
            }
        }
        return names;
    }
}
