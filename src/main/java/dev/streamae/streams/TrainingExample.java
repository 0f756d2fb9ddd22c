package dev.streamae.streams;

import dev.streamae.model.ExampleOrigin;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One record of the trainer's {@code training} repartition topic: an image to learn from, and the
 * operator's verdict when it comes from {@link Topics#FEEDBACK} rather than from the image stream.
 * Feedback travels the same path as the stream's images, so that it is sequenced, logged, replayed
 * after a crash and counted exactly once by the same machinery.
 *
 * <p>Bytes: a stream image is {@link ValidImageCodec#encodeU8} as it always was (so a repartition
 * topic written before feedback existed is still read); a verdict is the format byte
 * {@link #FEEDBACK_FORMAT}, the verdict's ordinal, then the image's {@code encodeU8} bytes.
 *
 * @param image the image
 * @param verdict null for an image of the stream, else the operator's verdict on it
 */
public record TrainingExample(ValidImage image, Verdict verdict) {

    /** Distinct from every {@link ValidImageCodec} format byte. */
    static final byte FEEDBACK_FORMAT = 0x46;

    public static byte[] encodeStream(ValidImage image) {
        return ValidImageCodec.encodeU8(image);
    }

    public static byte[] encodeFeedback(ValidImage image, Verdict verdict) {
        byte[] u8 = ValidImageCodec.encodeU8(image);
        return ByteBuffer.allocate(2 + u8.length).put(FEEDBACK_FORMAT).put((byte) verdict.ordinal()).put(u8).array();
    }

    public static TrainingExample decode(byte[] bytes) {
        if (bytes.length > 2 && bytes[0] == FEEDBACK_FORMAT) {
            int ordinal = bytes[1];
            if (ordinal < 0 || ordinal >= Verdict.values().length) {
                throw new SerializationException("unknown verdict " + ordinal);
            }
            byte[] u8 = java.util.Arrays.copyOfRange(bytes, 2, bytes.length);
            return new TrainingExample(ValidImageCodec.decode(u8), Verdict.values()[ordinal]);
        }
        return new TrainingExample(ValidImageCodec.decode(bytes), null);
    }

    /** Where it came from, as the calibrator tells rows apart: the stream, or an operator's verdict. */
    public ExampleOrigin origin() {
        if (verdict == null) {
            return ExampleOrigin.STREAM;
        }
        return verdict == Verdict.NORMAL ? ExampleOrigin.CONFIRMED_NORMAL : ExampleOrigin.CONFIRMED_ANOMALY;
    }
}
