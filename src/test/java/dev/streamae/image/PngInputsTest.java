package dev.streamae.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PNGs as other tools write them: each flavour decodes to luminance in [0, 1] with alpha
 * composited on black. Every test also checks the written file really is the intended flavour.
 */
class PngInputsTest {

    private static final ImageDecoder DECODER = new ImageDecoder();
    private static final int GRAY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GRAY_ALPHA = 4;
    private static final int RGBA = 6;
    private static final float STEP = 1f / 255;

    private static byte[] digitBytes;
    private static float[] digit;

    @BeforeAll
    static void loadDigit() {
        Idx.Images images = Datasets.mnist().images();
        digitBytes = images.bytes(7);
        digit = images.pixels(7);
    }

    @Test
    void gray8() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        fill(image.getRaster(), 1);
        assertThat(decode(image, GRAY, 8, false)).containsExactly(digit);
    }

    @Test
    void gray16() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        fill(image.getRaster(), 257); // 0..255 spread over 0..65535
        image.getRaster().setSample(0, 0, 0, 32768);
        float[] expected = digit.clone();
        expected[0] = 32768f / 65535;
        assertThat(decode(image, GRAY, 16, false)).containsExactly(expected, within(1e-6f));
    }

    @Test
    void gray1Bit() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY);
        image.getRaster().setSample(3, 0, 0, 1);
        float[] decoded = decode(image, GRAY, 1, false);
        assertThat(decoded[3]).isEqualTo(1f);
        assertThat(sum(decoded)).isEqualTo(1f);
    }

    @Test
    void grayWithAlphaIsCompositedOnBlack() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        BufferedImage image = new BufferedImage(cm, cm.createCompatibleWritableRaster(28, 28), false, null);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                raster.setSample(x, y, 0, 255);
                raster.setSample(x, y, 1, digitBytes[y * 28 + x] & 0xff); // the digit lives in the alpha channel
            }
        }
        assertThat(decode(image, GRAY_ALPHA, 8, false)).containsExactly(digit, within(1e-6f));
    }

    @Test
    void grayWithTransparentColour() {
        byte[] samples = new byte[784];
        samples[0] = (byte) 200;
        samples[1] = (byte) 100;
        // tRNS for gray images: one 16-bit sample value that is fully transparent.
        byte[] png = PngTestFiles.gray8(28, 28, samples, PngTestFiles.chunk("tRNS", new byte[] {0, (byte) 200}));
        float[] decoded = DECODER.decodePng(Base64.getEncoder().encodeToString(png));
        assertThat(decoded[0]).isZero();
        assertThat(decoded[1]).isEqualTo(100f / 255);
    }

    @Test
    void rgbIsReducedToBt601Luminance() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_3BYTE_BGR);
        fillGrayRgb(image);
        image.setRGB(0, 0, 0xff0000);
        image.setRGB(1, 0, 0x00ff00);
        image.setRGB(2, 0, 0x0000ff);
        image.setRGB(3, 0, 0xffffff);
        float[] decoded = decode(image, RGB, 8, false);
        assertThat(decoded[0]).isCloseTo(0.299f, within(1e-6f));
        assertThat(decoded[1]).isCloseTo(0.587f, within(1e-6f));
        assertThat(decoded[2]).isCloseTo(0.114f, within(1e-6f));
        assertThat(decoded[3]).isEqualTo(1f);
        assertThat(java.util.Arrays.copyOfRange(decoded, 28, 784))
                .containsExactly(java.util.Arrays.copyOfRange(digit, 28, 784), within(1e-6f));
    }

    @Test
    void rgbaIsCompositedOnBlack() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.setRGB(x, y, 0xffffff); // white, fully transparent: background
            }
        }
        image.setRGB(0, 0, 0xffffffff); // opaque white
        image.setRGB(1, 0, 0x80ffffff); // half-transparent white
        image.setRGB(2, 0, 0xff000000); // opaque black
        image.setRGB(3, 0, 0x80ff0000); // half-transparent red
        float[] decoded = decode(image, RGBA, 8, false);
        assertThat(decoded[0]).isEqualTo(1f);
        assertThat(decoded[1]).isCloseTo(128f / 255, within(1e-6f));
        assertThat(decoded[2]).isZero();
        assertThat(decoded[3]).isCloseTo(0.299f * 128 / 255, within(1e-6f));
        for (int i = 4; i < decoded.length; i++) {
            assertThat(decoded[i]).as("transparent background at %d", i).isZero();
        }
    }

    @Test
    void rgba16() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        BufferedImage image = new BufferedImage(cm, cm.createCompatibleWritableRaster(28, 28), false, null);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = (digitBytes[y * 28 + x] & 0xff) * 257;
                raster.setPixel(x, y, new int[] {v, v, v, 65535});
            }
        }
        assertThat(decode(image, RGBA, 16, false)).containsExactly(digit, within(STEP));
    }

    @Test
    void paletteWithTransparentEntry() {
        byte[] r = {0, (byte) 255, (byte) 255, 0};
        byte[] g = {0, (byte) 255, 0, 0};
        byte[] b = {0, (byte) 255, 0, (byte) 255};
        byte[] a = {(byte) 255, (byte) 255, (byte) 255, 0};
        IndexColorModel cm = new IndexColorModel(2, 4, r, g, b, a);
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY, cm);
        WritableRaster raster = image.getRaster();
        raster.setSample(0, 0, 0, 1); // white
        raster.setSample(1, 0, 0, 2); // red
        raster.setSample(2, 0, 0, 3); // transparent blue: background
        float[] decoded = decode(image, PALETTE, 2, false);
        assertThat(decoded[0]).isEqualTo(1f);
        assertThat(decoded[1]).isCloseTo(0.299f, within(1e-6f));
        assertThat(decoded[2]).isZero();
        assertThat(sum(decoded)).isCloseTo(1.299f, within(1e-5f));
    }

    @Test
    void palette8BitOfNearGrays() {
        // A palette of pure grays is written as a gray PNG, so tint blue by one step to keep a palette.
        byte[] ramp = new byte[256];
        byte[] tinted = new byte[256];
        for (int i = 0; i < 256; i++) {
            ramp[i] = (byte) i;
            tinted[i] = (byte) Math.max(0, i - 1);
        }
        IndexColorModel cm = new IndexColorModel(8, 256, ramp, ramp, tinted);
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_INDEXED, cm);
        fill(image.getRaster(), 1);
        assertThat(decode(image, PALETTE, 8, false)).containsExactly(digit, within(STEP));
    }

    @Test
    void interlaced() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        fill(image.getRaster(), 1);
        assertThat(decode(image, GRAY, 8, true)).containsExactly(digit);
    }

    /** Writes {@code image} as PNG, checks the file's colour type and depth, and decodes it. */
    private static float[] decode(BufferedImage image, int colourType, int bitDepth, boolean interlaced) {
        byte[] png = write(image, interlaced);
        PngStructure.Header header = PngStructure.readHeader(png);
        assertThat(header.colourType()).as("colour type").isEqualTo(colourType);
        assertThat(header.bitDepth()).as("bit depth").isEqualTo(bitDepth);
        assertThat(header.interlace()).as("interlace").isEqualTo(interlaced ? 1 : 0);
        float[] decoded = DECODER.decode("img", null, null, Base64.getEncoder().encodeToString(png), 28, 28).pixels();
        for (float v : decoded) {
            assertThat(v).isBetween(0f, 1f);
        }
        return decoded;
    }

    private static byte[] write(BufferedImage image, boolean interlaced) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(interlaced ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static void fill(WritableRaster raster, int scale) {
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                raster.setSample(x, y, 0, (digitBytes[y * 28 + x] & 0xff) * scale);
            }
        }
    }

    private static void fillGrayRgb(BufferedImage image) {
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = digitBytes[y * 28 + x] & 0xff;
                image.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
    }

    private static float sum(float[] values) {
        float s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }
}
