package dev.streamae.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** PNG encoding in memory, shared by the image encoders and the figures. */
final class PngIo {

    private PngIo() {
    }

    /**
     * Encodes {@code image} as PNG. Writes through a memory-cached stream because
     * {@link ImageIO#write} may otherwise cache in a temporary file, which a service has no reason to touch.
     */
    static byte[] write(BufferedImage image) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no PNG writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
