package dev.streamae.streams;

/**
 * An image that passed validation: decoded pixels in [0, 1] of exactly the model's input size.
 *
 * @param id the image id
 * @param pixels row-major pixels
 * @param label the label it carried, or null
 * @param timestamp the image's timestamp (its own field, else the record's), epoch ms
 * @param model the model it belongs to (see {@link ModelRouting#route}); null when decoded from the
 *     trainer's training topic, whose record key names the model
 */
public record ValidImage(String id, float[] pixels, Label label, long timestamp, String model) {

    public ValidImage(String id, float[] pixels, Label label, long timestamp) {
        this(id, pixels, label, timestamp, null);
    }

    /** Pixels as 8-bit values, the form the trainer learns from (MNIST itself is 8-bit). */
    public byte[] u8() {
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < out.length; i++) {
            // Math.round for the [0, 1] pixels of a valid image, without its general-case cost.
            out[i] = (byte) (int) (pixels[i] * 255f + 0.5f);
        }
        return out;
    }
}
