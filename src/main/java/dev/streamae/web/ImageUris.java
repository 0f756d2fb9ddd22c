package dev.streamae.web;

import dev.streamae.image.ImageDecoder;
import java.util.Base64;

/**
 * Images as {@code data:} URIs, embedded in the event that shows them. A 28x28 grayscale PNG is a
 * few hundred bytes, so embedding costs less than a request per image, and an image can never be
 * shown with the wrong model's reconstruction (nothing to cache, nothing to race).
 */
final class ImageUris {

    private static final String PREFIX = "data:image/png;base64,";

    private ImageUris() {
    }

    /** An 8-bit grayscale PNG of {@code pixels}; values outside [0, 1] (and NaN) are clamped. */
    static String png(float[] pixels, int width, int height) {
        float[] clamped = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            float v = pixels[i];
            clamped[i] = v > 0f ? Math.min(v, 1f) : 0f;
        }
        return PREFIX + Base64.getEncoder().encodeToString(ImageDecoder.pngBytes(clamped, width, height));
    }
}
