package dev.streamae.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The published versions of one model kept in {@code model-history} for rollback: at most
 * {@code models.history.versions}, at least {@code models.history.interval.ms} apart, the oldest
 * deleted (a tombstone) when a newer one is kept. Part of the model's checkpoint, so a replay keeps
 * and deletes exactly what the first run did.
 *
 * @param versions the kept versions, oldest first
 * @param lastKeptAt when the newest was kept (epoch ms), 0 before the first
 */
record ModelHistory(List<Long> versions, long lastKeptAt) {

    static final ModelHistory EMPTY = new ModelHistory(List.of(), 0);

    ModelHistory {
        versions = List.copyOf(versions);
    }

    /** What publishing {@code version} at {@code now} does to the history. */
    record Kept(ModelHistory history, boolean added, List<Long> dropped) {
    }

    /** The key of a kept version in {@code model-history}. */
    static String key(String model, long version) {
        return model + "@" + version;
    }

    Kept keep(long version, long now, ModelRouting routing) {
        if (!versions.isEmpty() && now - lastKeptAt < routing.historyInterval().toMillis()) {
            return new Kept(this, false, List.of());
        }
        List<Long> kept = new ArrayList<>(versions);
        kept.add(version);
        List<Long> dropped = new ArrayList<>();
        while (kept.size() > routing.historyVersions()) {
            dropped.add(kept.remove(0));
        }
        return new Kept(new ModelHistory(kept, now), true, dropped);
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES + Integer.BYTES + Long.BYTES * versions.size());
        b.putLong(lastKeptAt).putInt(versions.size());
        versions.forEach(b::putLong);
        return b.array();
    }

    static ModelHistory fromBytes(byte[] bytes) {
        if (bytes == null) {
            return EMPTY;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long at = b.getLong();
        int n = b.getInt();
        List<Long> versions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            versions.add(b.getLong());
        }
        return new ModelHistory(versions, at);
    }
}
