package dev.streamae.web;

import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Label;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest input records by image id, bounded (least recently added goes first), so that an alert
 * or a grid cell can show the original pixels. Records are kept as the raw bytes read from
 * {@code images} and decoded only when shown: at thousands of images per second almost none are
 * ever looked at, so parsing them all would waste the dashboard's CPU on a shared machine.
 *
 * <p>Keyed by the record key, which StreamAE's producers set to the image id; a record whose key
 * differs from its id cannot be paired with its score and simply shows no original. Thread-safe:
 * the feed thread adds, the broadcaster reads.
 */
final class RecentImages {

    private final JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
    private final ImageDecoder decoder;
    private final int capacity;
    private final LinkedHashMap<String, byte[]> byId;

    RecentImages(int capacity, int width, int height) {
        this.capacity = capacity;
        this.decoder = new ImageDecoder(width, height);
        this.byId = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > RecentImages.this.capacity;
            }
        };
    }

    synchronized void add(String id, byte[] record) {
        if (id == null || record == null) {
            return;
        }
        byId.remove(id); // a re-sent id becomes the newest
        byId.put(id, record);
    }

    synchronized int size() {
        return byId.size();
    }

    /** The decoded pixels of image {@code id}, or null if it is not (or no longer) here or not a valid image. */
    float[] pixels(String id) {
        Decoded d = lookup(id);
        return d == null ? null : d.pixels();
    }

    /**
     * Up to {@code n} of the images {@code ids} (oldest first) that are here and valid, the newest
     * ones, newest last. The grid asks for the images its model scored last: an image's model is in
     * its record, which this class does not parse until shown.
     */
    List<Decoded> newest(List<String> ids, int n) {
        List<Decoded> out = new ArrayList<>(n);
        for (int i = ids.size() - 1; i >= 0 && out.size() < n; i--) {
            Decoded d = lookup(ids.get(i));
            if (d != null) {
                out.add(0, d);
            }
        }
        return out;
    }

    /** An image shown on the page: its id, label (or null) and pixels in [0, 1]. */
    record Decoded(String id, Label label, float[] pixels) {
    }

    private Decoded lookup(String id) {
        byte[] raw;
        synchronized (this) {
            raw = byId.get(id);
        }
        return raw == null ? null : decode(id, raw);
    }

    private Decoded decode(String id, byte[] raw) {
        try {
            ImageRecord r = serde.fromBytes(raw);
            return new Decoded(id, r.label(),
                    decoder.decode(r.id(), r.pixels(), r.u8(), r.png(), r.width(), r.height()).pixels());
        } catch (RuntimeException e) {
            return null; // not an image the scorer would accept: it is in the dead-letter queue instead
        }
    }
}
