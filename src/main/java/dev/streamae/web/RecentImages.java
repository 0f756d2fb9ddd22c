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
        byte[] raw;
        synchronized (this) {
            raw = byId.get(id);
        }
        Decoded d = raw == null ? null : decode(id, raw);
        return d == null ? null : d.pixels();
    }

    /** Up to {@code n} of the newest valid images, newest last. */
    List<Decoded> newest(int n) {
        List<Map.Entry<String, byte[]>> tail = new ArrayList<>();
        synchronized (this) {
            int skip = Math.max(0, byId.size() - 4 * n); // invalid records are skipped: look a little further back
            int i = 0;
            for (Map.Entry<String, byte[]> e : byId.entrySet()) {
                if (i++ >= skip) {
                    tail.add(e);
                }
            }
        }
        List<Decoded> out = new ArrayList<>(n);
        for (int i = tail.size() - 1; i >= 0 && out.size() < n; i--) {
            Decoded d = decode(tail.get(i).getKey(), tail.get(i).getValue());
            if (d != null) {
                out.add(0, d);
            }
        }
        return out;
    }

    /** An image shown on the page: its id, label (or null) and pixels in [0, 1]. */
    record Decoded(String id, Label label, float[] pixels) {
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
