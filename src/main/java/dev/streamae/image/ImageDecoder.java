package dev.streamae.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Checks the fields of an image record and turns its one pixel encoding into model input: a
 * row-major {@code float[width * height]} with values in [0, 1]. Anything that cannot be used
 * raises an {@link InvalidImageException} whose message is the reason an operator reads in the
 * dead-letter queue.
 *
 * <p>It takes the record's raw fields rather than the record type so that the {@code image}
 * package stays free of Kafka and of the {@code streams} package that depends on it.
 *
 * <p>Encodings (exactly one must be present):
 * <ul>
 *   <li>{@code pixels}: the values themselves; must be finite and in [0, 1].</li>
 *   <li>{@code u8}: standard base64 (RFC 4648 section 4) of exactly {@code width * height} raw
 *       bytes, byte {@code b} meaning {@code b / 255}. The compact, high-throughput form: decoding
 *       is a table lookup per byte and there is no validation left to do after the length check.</li>
 *   <li>{@code png}: standard base64 of a PNG of exactly the model's size. Images are never
 *       resized: a silently rescaled image would be scored as something it is not. The header is
 *       read and every chunk checksum verified <em>before</em> any pixel data is decoded, so a tiny
 *       file claiming a huge image costs nothing. Colour is reduced to luminance with the ITU-R
 *       BT.601 weights (0.299 R + 0.587 G + 0.114 B, what PIL's {@code convert("L")} uses, so an
 *       image saved from Python decodes to the values its author saw). Gray images keep their
 *       sample values as they are. Transparency is composited onto <b>black</b>: MNIST draws a
 *       white digit on a black background, so a transparent background must become background,
 *       not a white page that would look like a huge stroke.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe: one instance can serve every stream thread.
 */
public final class ImageDecoder {

    public static final int DEFAULT_WIDTH = 28;
    public static final int DEFAULT_HEIGHT = 28;
    /** Ids are record keys and appear in logs and alerts; longer ones are almost surely a bug. */
    public static final int MAX_ID_LENGTH = 256;
    /** A 28x28 PNG is well under 1 kB; 1 MB leaves room for larger models and no more. */
    public static final int DEFAULT_MAX_PNG_BYTES = 1 << 20;
    /** Bounds the pixel count a decoder can be configured for (a 4096x4096 image). */
    public static final int MAX_PIXELS = 4096 * 4096;

    private static final Base64.Decoder BASE64 = Base64.getDecoder();
    private static final String BASE64_HINT = " (expected standard base64: A-Z a-z 0-9 + / with '=' padding)";
    /** {@code b / 255f} for every byte value: the u8 path does one lookup per pixel. */
    private static final float[] BYTE_TO_UNIT = new float[256];
    /** Looked up once: searching the ImageIO registry for every record would be slow. */
    private static final ImageReaderSpi PNG_READER = pngReaderProvider();

    static {
        for (int i = 0; i < 256; i++) {
            BYTE_TO_UNIT[i] = i / 255f;
        }
    }

    private final int width;
    private final int height;
    private final int size;
    private final int maxPngBytes;
    /** e.g. "784 (28x28)", used in every size message. */
    private final String expected;

    /** A decoder for the seed's 28x28 images. */
    public ImageDecoder() {
        this(DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public ImageDecoder(int width, int height) {
        this(width, height, DEFAULT_MAX_PNG_BYTES);
    }

    public ImageDecoder(int width, int height, int maxPngBytes) {
        if (width < 1 || height < 1 || (long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("image size must be positive and at most " + MAX_PIXELS
                    + " pixels, got " + width + "x" + height);
        }
        if (maxPngBytes < 64) {
            throw new IllegalArgumentException("the PNG size cap must be at least 64 bytes, got " + maxPngBytes);
        }
        this.width = width;
        this.height = height;
        this.size = width * height;
        this.maxPngBytes = maxPngBytes;
        this.expected = size + " (" + width + "x" + height + ")";
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Pixels per image: the model's input size. */
    public int size() {
        return size;
    }

    /**
     * Checks a record's fields and decodes its pixels.
     *
     * @param id the image id: required, not blank, at most {@link #MAX_ID_LENGTH} characters
     * @param pixels values in [0, 1], row-major, or null
     * @param u8 base64 of raw bytes, or null
     * @param png base64 PNG, or null
     * @param width declared width, or null; when given it must equal the model's
     * @param height declared height, or null; when given it must equal the model's
     * @throws InvalidImageException with the reason the record cannot be used
     */
    public DecodedImage decode(String id, float[] pixels, String u8, String png, Integer width, Integer height) {
        checkId(id);
        checkOneEncoding(pixels, u8, png);
        checkDeclared("width", width, this.width);
        checkDeclared("height", height, this.height);
        float[] decoded;
        if (pixels != null) {
            decoded = decodePixels(pixels);
        } else if (u8 != null) {
            decoded = decodeU8(u8);
        } else {
            decoded = decodePng(png);
        }
        return new DecodedImage(id, decoded);
    }

    /** Checks {@code pixels} and returns a copy (the caller's array is never shared). */
    public float[] decodePixels(float[] pixels) {
        if (pixels.length != size) {
            throw new InvalidImageException("pixels has " + pixels.length + " values, the model expects " + expected);
        }
        for (int i = 0; i < pixels.length; i++) {
            float v = pixels[i];
            // One comparison pair per value; it is also false for NaN, which is diagnosed below.
            if (!(v >= 0f && v <= 1f)) {
                throw new InvalidImageException(badPixel(i, v));
            }
        }
        return pixels.clone();
    }

    /** Decodes base64 of exactly {@link #size()} raw bytes. */
    public float[] decodeU8(String u8) {
        // Refuse absurd lengths before decoding: the JSON layer allows strings of megabytes.
        long approxBytes = u8.length() * 3L / 4;
        if (approxBytes > 2L * size + 16) {
            throw new InvalidImageException("u8 has about " + approxBytes + " bytes (" + u8.length()
                    + " base64 characters), the model expects " + expected);
        }
        byte[] bytes = base64("u8", u8);
        if (bytes.length != size) {
            throw new InvalidImageException("u8 has " + bytes.length + " bytes, the model expects " + expected);
        }
        float[] out = new float[size];
        for (int i = 0; i < out.length; i++) {
            out[i] = BYTE_TO_UNIT[bytes[i] & 0xff];
        }
        return out;
    }

    /** Decodes a base64 PNG of exactly the model's size to luminance, alpha composited on black. */
    public float[] decodePng(String png) {
        long approxBytes = png.length() * 3L / 4;
        if (approxBytes > maxPngBytes + 3L) {
            throw new InvalidImageException("png is about " + approxBytes + " bytes, at most " + maxPngBytes
                    + " are accepted");
        }
        byte[] bytes = base64("png", png);
        if (bytes.length > maxPngBytes) {
            throw new InvalidImageException("png is " + bytes.length + " bytes, at most " + maxPngBytes + " are accepted");
        }
        PngStructure.Header header = PngStructure.readHeader(bytes);
        // Before anything allocates a raster: the header alone decides whether this can be used.
        if (header.width() != width || header.height() != height) {
            throw new InvalidImageException("png is " + header.width() + "x" + header.height()
                    + ", the model expects " + width + "x" + height + " (images are not resized)");
        }
        PngStructure.checkChunks(bytes);
        return luminance(readPng(bytes));
    }

    private BufferedImage readPng(byte[] bytes) {
        ImageReader reader;
        try {
            reader = PNG_READER.createReaderInstance();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a PNG reader", e);
        }
        // In memory: ImageIO's default stream may cache to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            // Ignoring metadata skips text chunks, whose compressed forms could inflate to far more
            // than the file; the reader still honours tRNS transparency.
            reader.setInput(in, true, true);
            if (reader.getWidth(0) != width || reader.getHeight(0) != height) {
                throw new InvalidImageException("png could not be decoded: the decoder reads its size as "
                        + reader.getWidth(0) + "x" + reader.getHeight(0));
            }
            return reader.read(0);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidImageException invalid) {
                throw invalid;
            }
            // Corrupt data surfaces as IIOException, but also as assorted runtime exceptions.
            throw new InvalidImageException("png could not be decoded: " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /** Grayscale luminance in [0, 1], alpha composited on black (see the class comment). */
    private float[] luminance(BufferedImage image) {
        float[] out = new float[size];
        ColorModel cm = image.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            // Read gray samples directly: getRGB would convert Java's linear gray colour space to
            // sRGB and brighten every mid-tone, so u8 and png of one image would disagree.
            Raster raster = image.getRaster();
            boolean alpha = cm.hasAlpha();
            int alphaBand = raster.getNumBands() - 1;
            double grayMax = (1 << cm.getComponentSize(0)) - 1;
            double alphaMax = alpha ? (1 << cm.getComponentSize(alphaBand)) - 1 : 1;
            for (int y = 0, i = 0; y < height; y++) {
                for (int x = 0; x < width; x++, i++) {
                    double v = raster.getSample(x, y, 0) / grayMax;
                    if (alpha) {
                        v *= raster.getSample(x, y, alphaBand) / alphaMax;
                    }
                    out[i] = unit(v);
                }
            }
        } else {
            // Colour and palette images (including packed low-depth gray, which Java reads through a
            // palette): getRGB gives non-premultiplied 8-bit sRGB with alpha for every colour model.
            for (int y = 0, i = 0; y < height; y++) {
                for (int x = 0; x < width; x++, i++) {
                    int argb = image.getRGB(x, y);
                    double lum = 0.299 * ((argb >>> 16) & 0xff) + 0.587 * ((argb >>> 8) & 0xff) + 0.114 * (argb & 0xff);
                    out[i] = unit(lum / 255.0 * ((argb >>> 24) / 255.0));
                }
            }
        }
        return out;
    }

    private static float unit(double v) {
        // The BT.601 weights sum to 1 only up to rounding: keep results inside [0, 1].
        return (float) Math.min(1.0, Math.max(0.0, v));
    }

    private static void checkId(String id) {
        if (id == null) {
            throw new InvalidImageException("id is missing");
        }
        if (id.isBlank()) {
            throw new InvalidImageException("id is blank");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidImageException("id has " + id.length() + " characters, at most " + MAX_ID_LENGTH
                    + " are allowed");
        }
    }

    private static void checkOneEncoding(float[] pixels, String u8, String png) {
        List<String> present = new ArrayList<>(3);
        if (pixels != null) {
            present.add("pixels");
        }
        if (u8 != null) {
            present.add("u8");
        }
        if (png != null) {
            present.add("png");
        }
        if (present.isEmpty()) {
            throw new InvalidImageException("no pixel data: set exactly one of pixels, u8 or png");
        }
        if (present.size() > 1) {
            throw new InvalidImageException(String.join(" and ", present)
                    + (present.size() == 2 ? " are both" : " are all") + " set: set exactly one of pixels, u8 or png");
        }
    }

    private void checkDeclared(String field, Integer declared, int actual) {
        if (declared != null && declared != actual) {
            throw new InvalidImageException(field + " is " + declared + ", the model expects "
                    + width + "x" + height + " images");
        }
    }

    private String badPixel(int i, float v) {
        String where = "pixels[" + i + "] (row " + i / width + ", column " + i % width + ")";
        if (Float.isNaN(v)) {
            return where + " is NaN: values must be numbers in [0, 1]";
        }
        if (Float.isInfinite(v)) {
            return where + " is " + (v > 0 ? "" : "-") + "infinite: values must be numbers in [0, 1]";
        }
        return where + " is " + v + ", outside [0, 1]";
    }

    private static byte[] base64(String field, String text) {
        try {
            return BASE64.decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException(field + " is not valid base64: " + e.getMessage() + BASE64_HINT);
        }
    }

    /** The decoder's message and its cause's, which usually holds the specific reason. */
    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause instanceof java.io.EOFException) {
            // The reader hit the end of the compressed stream before it had every row.
            return message + ": the image data ends before the last row";
        }
        if (cause != null && cause.getMessage() != null) {
            return message + ": " + cause.getMessage();
        }
        return message;
    }

    // ------------------------------------------------------------------ encoders (producers, tests)

    /** Quantises values in [0, 1] to bytes, {@code round(v * 255)}: the inverse of the u8 decoding. */
    public static byte[] toBytes(float[] pixels) {
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            float v = pixels[i];
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("pixel " + i + " is " + v + ", outside [0, 1]");
            }
            out[i] = (byte) Math.round(v * 255f);
        }
        return out;
    }

    /** The {@code u8} field for raw bytes. */
    public static String encodeU8(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The {@code u8} field for values in [0, 1] (quantised as by {@link #toBytes(float[])}). */
    public static String encodeU8(float[] pixels) {
        return encodeU8(toBytes(pixels));
    }

    /** The {@code png} field: base64 of an 8-bit grayscale PNG of the values, quantised as u8. */
    public static String encodePng(float[] pixels, int width, int height) {
        return Base64.getEncoder().encodeToString(pngBytes(pixels, width, height));
    }

    /** An 8-bit grayscale PNG of the values, quantised as u8. */
    public static byte[] pngBytes(float[] pixels, int width, int height) {
        if (width < 1 || height < 1 || (long) width * height != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " values do not make a " + width + "x" + height + " image");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        byte[] bytes = toBytes(pixels);
        // Samples set directly, not via setRGB, which would apply the sRGB-to-linear-gray conversion.
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i++) {
                raster.setSample(x, y, 0, bytes[i] & 0xff);
            }
        }
        return PngIo.write(image);
    }

    private static ImageReaderSpi pngReaderProvider() {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no PNG reader");
        }
        ImageReader reader = readers.next();
        ImageReaderSpi spi = reader.getOriginatingProvider();
        reader.dispose();
        return spi;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ImageDecoder[%dx%d, png <= %d bytes]", width, height, maxPngBytes);
    }
}
