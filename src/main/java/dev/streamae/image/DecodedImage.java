package dev.streamae.image;

/**
 * An image that passed {@link ImageDecoder}'s checks: its id and its pixels as model input.
 *
 * @param id the image id, non-blank and at most {@link ImageDecoder#MAX_ID_LENGTH} characters
 * @param pixels row-major values in [0, 1], exactly {@code width * height} of them; the array is
 *     owned by this record (the decoder never returns an array the caller passed in), so a
 *     consumer may hand it to a batch without copying
 */
public record DecodedImage(String id, float[] pixels) {

    @Override
    public String toString() {
        // The default would print an array reference, which helps nobody in a log line.
        return "DecodedImage[id=" + id + ", pixels=" + pixels.length + " values]";
    }
}
