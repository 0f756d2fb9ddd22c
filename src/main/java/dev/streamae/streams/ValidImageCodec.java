package dev.streamae.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Compact binary form of a {@link ValidImage}, for the trainer's repartition topic and the
 * buffers both topologies keep in logged state stores. JSON would cost a parse of 784 numbers
 * per record per hop; this is a copy. Pixels travel as 8-bit values (training, exact for MNIST)
 * or, for scoring, exactly what the user sent: 8-bit when that is exact, else float32.
 *
 * <p>Layout (big-endian): format byte, id length + UTF-8 id, has-label byte, label int,
 * timestamp long, pixel count int, pixels.
 */
public final class ValidImageCodec {

    private static final byte U8 = 1;
    private static final byte F32 = 2;
    private static final int MAX_ID_BYTES = 4096;
    private static final int MAX_PIXELS = 1 << 24;

    private ValidImageCodec() {
    }

    public static byte[] encodeU8(ValidImage image) {
        byte[] id = image.id().getBytes(StandardCharsets.UTF_8);
        byte[] pixels = image.u8();
        ByteBuffer buf = header(U8, id, image, pixels.length, pixels.length);
        buf.put(pixels);
        return buf.array();
    }

    /**
     * The smallest exact form: 8-bit when every pixel is exactly {@code b / 255f} for a byte
     * {@code b} (always so for {@code u8} and PNG images: {@link #decode} then gives back the very
     * same floats), else float32. A quarter of the bytes for the scorer's buffer store
     * and its changelog.
     */
    public static byte[] encodeExact(ValidImage image) {
        byte[] id = image.id().getBytes(StandardCharsets.UTF_8);
        float[] pixels = image.pixels();
        ByteBuffer buf = header(U8, id, image, pixels.length, pixels.length);
        int at = buf.position();
        byte[] out = buf.array();
        for (int i = 0; i < pixels.length; i++) {
            float p = pixels[i];
            int b = (int) (p * 255f + 0.5f);
            if (!(p >= 0f && p <= 1f) || b / 255f != p) {
                return encodeFloat(image);
            }
            out[at + i] = (byte) b;
        }
        return out;
    }

    public static byte[] encodeFloat(ValidImage image) {
        byte[] id = image.id().getBytes(StandardCharsets.UTF_8);
        float[] pixels = image.pixels();
        ByteBuffer buf = header(F32, id, image, pixels.length, 4 * pixels.length);
        buf.asFloatBuffer().put(pixels);
        return buf.array();
    }

    private static ByteBuffer header(byte format, byte[] id, ValidImage image, int count, int pixelBytes) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + id.length + 1 + 4 + 8 + 4 + pixelBytes);
        buf.put(format).putInt(id.length).put(id);
        buf.put((byte) (image.label() == null ? 0 : 1)).putInt(image.label() == null ? 0 : image.label());
        buf.putLong(image.timestamp()).putInt(count);
        return buf;
    }

    public static ValidImage decode(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte format = buf.get();
            int idLength = buf.getInt();
            if (idLength < 0 || idLength > MAX_ID_BYTES) {
                throw new SerializationException("bad id length " + idLength);
            }
            byte[] id = new byte[idLength];
            buf.get(id);
            boolean hasLabel = buf.get() != 0;
            int label = buf.getInt();
            long timestamp = buf.getLong();
            int count = buf.getInt();
            if (count < 0 || count > MAX_PIXELS) {
                throw new SerializationException("bad pixel count " + count);
            }
            float[] pixels = new float[count];
            if (format == U8) {
                byte[] raw = new byte[count];
                buf.get(raw);
                for (int i = 0; i < count; i++) {
                    pixels[i] = (raw[i] & 0xff) / 255f;
                }
            } else if (format == F32) {
                buf.asFloatBuffer().get(pixels);
                buf.position(buf.position() + 4 * count);
            } else {
                throw new SerializationException("unknown image format " + format);
            }
            if (buf.hasRemaining()) {
                throw new SerializationException(buf.remaining() + " trailing bytes");
            }
            return new ValidImage(new String(id, StandardCharsets.UTF_8), pixels, hasLabel ? label : null, timestamp);
        } catch (java.nio.BufferUnderflowException e) {
            throw new SerializationException("truncated image record", e);
        }
    }

}
