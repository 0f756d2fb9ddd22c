package dev.streamae.streams;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Keeps a fixed fraction of images for training, chosen by a hash of the image id rather than at
 * random, so that a replay (after a crash, or by the reset tool) trains on the same images.
 */
final class SampleFilter {

    private final double rate;

    SampleFilter(double rate) {
        this.rate = rate;
    }

    boolean keep(String id) {
        if (rate >= 1.0) {
            return true;
        }
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() < rate * (1L << 32);
    }
}
