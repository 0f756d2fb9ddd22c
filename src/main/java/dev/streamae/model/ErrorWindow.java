package dev.streamae.model;

import java.nio.ByteBuffer;

/**
 * The most recent prequential errors (each measured before the model learnt from its image), to
 * which the trainer fits its calibration ({@link CalibrationFit}). A window rather than all history
 * because the model keeps improving, so old errors overstate what normal images cost now.
 *
 * <p>A fixed-capacity ring buffer: {@link #add} is O(1) and allocation-free because it runs for
 * every training example; {@link #values} copies the errors out, oldest first, for a fit.
 *
 * <p>The trainer keeps the window in a Kafka Streams state store, so it converts to and from a
 * compact byte form ({@link #toBytes}): big-endian {@code int capacity, int count, int next}
 * followed by {@code count} doubles, slot by slot. Slots {@code 0..count-1} are exactly the filled
 * ones (the buffer fills from slot 0 and only wraps once full), so no empty slots are written.
 *
 * <p>Not thread-safe: owned by one stream task.
 */
public final class ErrorWindow {

    /** Bounds what {@link #fromBytes} will allocate for a corrupt or hostile capacity field. */
    public static final int MAX_CAPACITY = 10_000_000;

    private static final int HEADER_BYTES = 3 * Integer.BYTES;

    private final double[] ring;
    private int count;
    private int next;

    public ErrorWindow(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("window capacity must be in [1, " + MAX_CAPACITY + "], got " + capacity);
        }
        this.ring = new double[capacity];
    }

    /**
     * Records one error, replacing the oldest once the window is full.
     *
     * @throws IllegalArgumentException for NaN or infinity: a diverged model must be noticed by
     *     the caller, not hidden inside a calibration
     */
    public void add(double error) {
        if (!Double.isFinite(error)) {
            throw new IllegalArgumentException("errors must be finite, got " + error);
        }
        ring[next] = error;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (count < ring.length) {
            count++;
        }
    }

    public int capacity() {
        return ring.length;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The errors held, oldest first. */
    public double[] values() {
        double[] out = new double[count];
        int start = count < ring.length ? 0 : next;
        for (int i = 0; i < count; i++) {
            int slot = start + i;
            out[i] = ring[slot >= ring.length ? slot - ring.length : slot];
        }
        return out;
    }

    /** A window of {@code capacity} holding only the newest {@code count} errors of this one (a re-baseline). */
    public ErrorWindow newest(int count, int capacity) {
        ErrorWindow kept = new ErrorWindow(capacity);
        double[] values = values();
        for (int i = Math.max(0, values.length - Math.min(count, capacity)); i < values.length; i++) {
            kept.add(values[i]);
        }
        return kept;
    }

    /**
     * A window of another capacity holding the newest {@code min(count, capacity)} errors, for when
     * the configured capacity changes between runs of the trainer.
     */
    public ErrorWindow withCapacity(int capacity) {
        ErrorWindow resized = new ErrorWindow(capacity);
        double[] values = values();
        for (int i = Math.max(0, values.length - capacity); i < values.length; i++) {
            resized.add(values[i]);
        }
        return resized;
    }

    /** The compact big-endian form described in the class comment: 12 + 8 * count bytes. */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + Double.BYTES * count);
        out.putInt(ring.length).putInt(count).putInt(next);
        for (int i = 0; i < count; i++) {
            out.putDouble(ring[i]);
        }
        return out.array();
    }

    /**
     * Rebuilds a window from {@link #toBytes}, checking every field, so that a corrupt store entry
     * fails loudly here rather than as a wrong threshold later.
     *
     * @throws IllegalArgumentException describing the first inconsistency found
     */
    public static ErrorWindow fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("error window: need at least " + HEADER_BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int capacity = in.getInt();
        int count = in.getInt();
        int next = in.getInt();
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("error window: capacity " + capacity + " is outside [1, " + MAX_CAPACITY + "]");
        }
        if (count < 0 || count > capacity) {
            throw new IllegalArgumentException("error window: count " + count + " is outside [0, " + capacity + "]");
        }
        // Until the buffer is full, the next slot is always the one after the last filled one.
        if (next < 0 || next >= capacity || (count < capacity && next != count)) {
            throw new IllegalArgumentException("error window: next index " + next + " is inconsistent with count "
                    + count + " and capacity " + capacity);
        }
        long expected = HEADER_BYTES + (long) Double.BYTES * count;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("error window: " + count + " values need " + expected
                    + " bytes, got " + bytes.length);
        }
        ErrorWindow window = new ErrorWindow(capacity);
        for (int i = 0; i < count; i++) {
            double v = in.getDouble();
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("error window: value " + i + " is " + v);
            }
            window.ring[i] = v;
        }
        window.count = count;
        window.next = next;
        return window;
    }

    @Override
    public String toString() {
        return "ErrorWindow[" + count + "/" + ring.length + "]";
    }
}
