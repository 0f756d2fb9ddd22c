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
 * <p>Layout (big-endian): format byte, id length + UTF-8 id, label, timestamp long, pixel count
 * int, pixels. The label is a tag byte (0 none, 1 a 64-bit integer, 2 a UTF-8 string with a
 * 16-bit length) and its value. Formats 1 and 2, written before labels were free-form, carried a
 * has-label byte and a 32-bit integer instead; they are still read, since a trainer's changelog
 * or repartition topic may hold them across an upgrade.
 */
public final class ValidImageCodec {

    private static final byte U8_INT_LABEL = 1;
    private static final byte F32_INT_LABEL = 2;
    private static final byte U8 = 3;
    private static final byte F32 = 4;
    private static final byte NO_LABEL = 0;
    private static final byte NUMBER_LABEL = 1;
    private static final byte TEXT_LABEL = 2;
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
        Label label = image.label();
        byte[] text = label != null && label.text() != null ? label.text().getBytes(StandardCharsets.UTF_8) : null;
        int labelBytes = 1 + (label == null ? 0 : text == null ? Long.BYTES : Short.BYTES + text.length);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + id.length + labelBytes + 8 + 4 + pixelBytes);
        buf.put(format).putInt(id.length).put(id);
        if (label == null) {
            buf.put(NO_LABEL);
        } else if (text == null) {
            buf.put(NUMBER_LABEL).putLong(label.number());
        } else {
            buf.put(TEXT_LABEL).putShort((short) text.length).put(text);
        }
        buf.putLong(image.timestamp()).putInt(count);
        return buf;
    }

    private static Label readLabel(ByteBuffer buf, byte format) {
        if (format == U8_INT_LABEL || format == F32_INT_LABEL) {
            boolean hasLabel = buf.get() != 0;
            int label = buf.getInt();
            return hasLabel ? Label.of(label) : null;
        }
        byte tag = buf.get();
        return switch (tag) {
            case NO_LABEL -> null;
            case NUMBER_LABEL -> Label.of(buf.getLong());
            case TEXT_LABEL -> {
                byte[] text = new byte[Short.toUnsignedInt(buf.getShort())];
                buf.get(text);
                yield Label.of(new String(text, StandardCharsets.UTF_8));
            }
            default -> throw new SerializationException("unknown label tag " + tag);
        };
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
            Label label = readLabel(buf, format);
            long timestamp = buf.getLong();
            int count = buf.getInt();
            if (count < 0 || count > MAX_PIXELS) {
                throw new SerializationException("bad pixel count " + count);
            }
            float[] pixels = new float[count];
            if (format == U8 || format == U8_INT_LABEL) {
                byte[] raw = new byte[count];
                buf.get(raw);
                for (int i = 0; i < count; i++) {
                    pixels[i] = (raw[i] & 0xff) / 255f;
                }
            } else if (format == F32 || format == F32_INT_LABEL) {
                buf.asFloatBuffer().get(pixels);
                buf.position(buf.position() + 4 * count);
            } else {
                throw new SerializationException("unknown image format " + format);
            }
            if (buf.hasRemaining()) {
                throw new SerializationException(buf.remaining() + " trailing bytes");
            }
            return new ValidImage(new String(id, StandardCharsets.UTF_8), pixels, label, timestamp);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new SerializationException("truncated image record", e);
        }
    }

}
