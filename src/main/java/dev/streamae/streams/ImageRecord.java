package dev.streamae.streams;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An image as users produce it to {@link Topics#IMAGES}. Exactly one pixel encoding must be set:
 * {@code pixels} (numbers in [0, 1], row-major), {@code u8} (base64 of raw bytes, 0-255, the
 * compact and fast form) or {@code png} (base64 PNG, converted to grayscale). {@code width} and
 * {@code height} are optional but, when given, must match the model. {@code label} (any string or
 * integer, see {@link Label}) is passed through to scores unchanged; {@code timestamp} (epoch ms)
 * defaults to the record's. {@code model} names the stream's model, which learns and scores the
 * image ({@code model.name} when absent; see {@link ModelRouting}).
 *
 * <p>This is the wire form only: it is checked and decoded by {@link dev.streamae.image.ImageDecoder}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageRecord(String id, float[] pixels, String u8, String png, Integer width, Integer height,
                          Label label, Long timestamp, String model) {

    /** As before the {@code model} field: the image belongs to the configured default model. */
    public ImageRecord(String id, float[] pixels, String u8, String png, Integer width, Integer height, Label label,
                       Long timestamp) {
        this(id, pixels, u8, png, width, height, label, timestamp, null);
    }

    /** This image, for the model of the stream named {@code model} (null: the default model). */
    public ImageRecord withModel(String model) {
        return new ImageRecord(id, pixels, u8, png, width, height, label, timestamp, model);
    }

    public static ImageRecord ofPixels(String id, float[] pixels, Label label) {
        return new ImageRecord(id, pixels, null, null, null, null, label, null);
    }

    public static ImageRecord ofU8(String id, byte[] bytes, Label label) {
        return new ImageRecord(id, null, java.util.Base64.getEncoder().encodeToString(bytes), null, null, null, label, null);
    }
}
