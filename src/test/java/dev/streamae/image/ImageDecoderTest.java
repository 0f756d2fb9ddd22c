package dev.streamae.image;

import static dev.streamae.image.PngTestFiles.chunk;
import static dev.streamae.image.PngTestFiles.claiming;
import static dev.streamae.image.PngTestFiles.concat;
import static dev.streamae.image.PngTestFiles.gray8;
import static dev.streamae.image.PngTestFiles.ihdr;
import static dev.streamae.image.PngTestFiles.zlib;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every rejection path of {@link ImageDecoder} with the message an operator reads, and round trips. */
class ImageDecoderTest {

    private static final ImageDecoder DECODER = new ImageDecoder();
    private static float[] digit;
    private static byte[] digitBytes;

    @BeforeAll
    static void loadDigit() {
        Idx.Images images = Datasets.mnist().images();
        digit = images.pixels(0);
        digitBytes = images.bytes(0);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static void assertRejected(Runnable decode, String message) {
        assertThatThrownBy(decode::run).isInstanceOf(InvalidImageException.class).hasMessage(message);
    }

    @Nested
    class RoundTrips {

        @Test
        void pixelsAreReturnedAsACopy() {
            DecodedImage image = DECODER.decode("a", digit, null, null, null, null);
            assertThat(image.id()).isEqualTo("a");
            assertThat(image.pixels()).containsExactly(digit).isNotSameAs(digit);
        }

        @Test
        void u8RoundTripIsExactOnBytesAndWithinHalfAStepOnFloats() {
            assertThat(DECODER.decodeU8(ImageDecoder.encodeU8(digitBytes)))
                    .containsExactly(digit);
            float[] arbitrary = new float[784];
            for (int i = 0; i < arbitrary.length; i++) {
                arbitrary[i] = (i * 0.618034f) % 1f;
            }
            assertThat(DECODER.decodeU8(ImageDecoder.encodeU8(arbitrary))).containsExactly(arbitrary, within(0.5f / 255));
        }

        @Test
        void pngRoundTripMatchesU8() {
            String png = ImageDecoder.encodePng(digit, 28, 28);
            assertThat(DECODER.decode("a", null, null, png, 28, 28).pixels()).containsExactly(digit);
            float[] ramp = new float[784];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = i / 783f;
            }
            assertThat(DECODER.decodePng(ImageDecoder.encodePng(ramp, 28, 28)))
                    .containsExactly(DECODER.decodeU8(ImageDecoder.encodeU8(ramp)))
                    .containsExactly(ramp, within(1f / 255));
        }

        @Test
        void otherSizesWork() {
            ImageDecoder wide = new ImageDecoder(5, 3);
            float[] pixels = new float[15];
            pixels[7] = 1;
            assertThat(wide.decode("w", null, null, ImageDecoder.encodePng(pixels, 5, 3), 5, 3).pixels())
                    .containsExactly(pixels);
            assertThat(wide.decodeU8(ImageDecoder.encodeU8(pixels))).containsExactly(pixels);
        }

        @Test
        void unpaddedBase64IsAccepted() {
            String padded = ImageDecoder.encodeU8(digitBytes);
            assertThat(padded).endsWith("=");
            assertThat(DECODER.decodeU8(padded.replace("=", ""))).containsExactly(digit);
        }

        @Test
        void edgeValuesAreAccepted() {
            float[] pixels = new float[784];
            pixels[0] = 1f;
            pixels[1] = -0f;
            assertThat(DECODER.decodePixels(pixels)[0]).isEqualTo(1f);
        }
    }

    @Nested
    class Fields {

        @Test
        void idIsRequired() {
            assertRejected(() -> DECODER.decode(null, digit, null, null, null, null), "id is missing");
            assertRejected(() -> DECODER.decode(" \t", digit, null, null, null, null), "id is blank");
            assertRejected(() -> DECODER.decode("", digit, null, null, null, null), "id is blank");
        }

        @Test
        void idLengthIsCapped() {
            assertThat(DECODER.decode("x".repeat(256), digit, null, null, null, null).id()).hasSize(256);
            assertRejected(() -> DECODER.decode("x".repeat(257), digit, null, null, null, null),
                    "id has 257 characters, at most 256 are allowed");
        }

        @Test
        void exactlyOneEncoding() {
            String u8 = ImageDecoder.encodeU8(digitBytes);
            String png = ImageDecoder.encodePng(digit, 28, 28);
            assertRejected(() -> DECODER.decode("a", null, null, null, null, null),
                    "no pixel data: set exactly one of pixels, u8 or png");
            assertRejected(() -> DECODER.decode("a", digit, u8, null, null, null),
                    "pixels and u8 are both set: set exactly one of pixels, u8 or png");
            assertRejected(() -> DECODER.decode("a", null, u8, png, null, null),
                    "u8 and png are both set: set exactly one of pixels, u8 or png");
            assertRejected(() -> DECODER.decode("a", digit, u8, png, null, null),
                    "pixels and u8 and png are all set: set exactly one of pixels, u8 or png");
        }

        @Test
        void declaredSizeMustMatch() {
            assertThat(DECODER.decode("a", digit, null, null, 28, null).pixels()).hasSize(784);
            assertRejected(() -> DECODER.decode("a", digit, null, null, 32, 28), "width is 32, the model expects 28x28 images");
            assertRejected(() -> DECODER.decode("a", digit, null, null, null, 0), "height is 0, the model expects 28x28 images");
        }

        @Test
        void idIsCheckedBeforeTheEncoding() {
            assertRejected(() -> DECODER.decode(null, null, null, null, null, null), "id is missing");
        }
    }

    @Nested
    class Pixels {

        @Test
        void wrongLength() {
            assertRejected(() -> DECODER.decodePixels(new float[783]), "pixels has 783 values, the model expects 784 (28x28)");
            assertRejected(() -> DECODER.decodePixels(new float[0]), "pixels has 0 values, the model expects 784 (28x28)");
        }

        @Test
        void nonFiniteAndOutOfRangeValues() {
            assertRejected(() -> DECODER.decodePixels(with(30, Float.NaN)),
                    "pixels[30] (row 1, column 2) is NaN: values must be numbers in [0, 1]");
            assertRejected(() -> DECODER.decodePixels(with(0, Float.POSITIVE_INFINITY)),
                    "pixels[0] (row 0, column 0) is infinite: values must be numbers in [0, 1]");
            assertRejected(() -> DECODER.decodePixels(with(783, Float.NEGATIVE_INFINITY)),
                    "pixels[783] (row 27, column 27) is -infinite: values must be numbers in [0, 1]");
            assertRejected(() -> DECODER.decodePixels(with(5, 1.5f)), "pixels[5] (row 0, column 5) is 1.5, outside [0, 1]");
            assertRejected(() -> DECODER.decodePixels(with(5, -0.001f)), "pixels[5] (row 0, column 5) is -0.001, outside [0, 1]");
            assertRejected(() -> DECODER.decodePixels(with(5, Math.nextUp(1f))),
                    "pixels[5] (row 0, column 5) is 1.0000001, outside [0, 1]");
        }

        private float[] with(int index, float value) {
            float[] pixels = digit.clone();
            pixels[index] = value;
            return pixels;
        }
    }

    @Nested
    class U8 {

        @Test
        void invalidBase64() {
            assertRejected(() -> DECODER.decodeU8("not base64!"), "u8 is not valid base64: Illegal base64 character 20"
                    + " (expected standard base64: A-Z a-z 0-9 + / with '=' padding)");
            // The URL-safe alphabet is a different encoding: refused rather than guessed.
            String urlSafe = Base64.getUrlEncoder().encodeToString(new byte[] {(byte) 0xfb, (byte) 0xff});
            assertThatThrownBy(() -> DECODER.decodeU8(urlSafe)).isInstanceOf(InvalidImageException.class)
                    .hasMessageStartingWith("u8 is not valid base64: Illegal base64 character 2d");
        }

        @Test
        void wrongLength() {
            assertRejected(() -> DECODER.decodeU8(b64(new byte[783])), "u8 has 783 bytes, the model expects 784 (28x28)");
            assertRejected(() -> DECODER.decodeU8(b64(new byte[785])), "u8 has 785 bytes, the model expects 784 (28x28)");
            assertRejected(() -> DECODER.decodeU8(""), "u8 has 0 bytes, the model expects 784 (28x28)");
        }

        @Test
        void absurdLengthIsRefusedWithoutDecoding() {
            String huge = "!".repeat(4_000_000);
            assertRejected(() -> DECODER.decodeU8(huge),
                    "u8 has about 3000000 bytes (4000000 base64 characters), the model expects 784 (28x28)");
        }
    }

    @Nested
    class Png {

        @Test
        void invalidBase64() {
            assertThatThrownBy(() -> DECODER.decodePng("iVBOR w0K")).isInstanceOf(InvalidImageException.class)
                    .hasMessageStartingWith("png is not valid base64: Illegal base64 character 20");
        }

        @Test
        void notAPng() {
            assertRejected(() -> DECODER.decodePng(b64("GIF89a and so on".getBytes())),
                    "png is not a PNG file (it does not start with the PNG signature)");
            assertRejected(() -> DECODER.decodePng(""), "png is not a PNG file (it does not start with the PNG signature)");
            assertRejected(() -> DECODER.decodePng(b64(digitBytes)), "png is not a PNG file (it does not start with the PNG signature)");
        }

        @Test
        void wrongSizeIsRejectedNotResized() {
            assertRejected(() -> DECODER.decodePng(ImageDecoder.encodePng(new float[32 * 32], 32, 32)),
                    "png is 32x32, the model expects 28x28 (images are not resized)");
            assertRejected(() -> DECODER.decodePng(ImageDecoder.encodePng(new float[784], 784, 1)),
                    "png is 784x1, the model expects 28x28 (images are not resized)");
        }

        @Test
        void hugeClaimedDimensionsAreRejectedFromTheHeaderWithoutAllocating() {
            String bomb = b64(claiming(100_000, 100_000));
            DECODER.decodePng(ImageDecoder.encodePng(digit, 28, 28)); // warm up class loading
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            long allocatedBefore = threads.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            assertRejected(() -> DECODER.decodePng(bomb), "png is 100000x100000, the model expects 28x28 (images are not resized)");
            long millis = (System.nanoTime() - start) / 1_000_000;
            long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
            // A 100000x100000 raster would be 10 GB; the rejection needs only the decoded base64 and a message.
            assertThat(allocated).isLessThan(64 * 1024);
            assertThat(millis).isLessThan(200);
            assertRejected(() -> DECODER.decodePng(b64(claiming(0xffffffffL, 1))),
                    "png is 4294967295x1, the model expects 28x28 (images are not resized)");
        }

        @Test
        void encodedSizeIsCapped() {
            ImageDecoder small = new ImageDecoder(28, 28, 1000);
            // Far over the cap: refused from the base64 length, before decoding.
            byte[] padded = gray8(28, 28, digitBytes, chunk("tEXt", new byte[2000]));
            assertRejected(() -> small.decodePng(b64(padded)),
                    "png is about " + b64(padded).length() * 3 / 4 + " bytes, at most 1000 are accepted");
            // Just over: the decoded length is exact.
            assertRejected(() -> small.decodePng(b64(new byte[1001])), "png is 1001 bytes, at most 1000 are accepted");
            // The default cap (1 MB) accepts the same file, whose extra chunk is ignored.
            assertThat(DECODER.decodePng(b64(padded))).containsExactly(digit);
        }

        @Test
        void truncatedHeader() {
            byte[] png = ImageDecoder.pngBytes(digit, 28, 28);
            assertRejected(() -> DECODER.decodePng(b64(Arrays.copyOf(png, 20))),
                    "png is truncated: it has 20 bytes, too few for the PNG header (IHDR)");
        }

        @Test
        void truncatedData() {
            byte[] png = ImageDecoder.pngBytes(digit, 28, 28);
            assertThatThrownBy(() -> DECODER.decodePng(b64(Arrays.copyOf(png, png.length - 30))))
                    .isInstanceOf(InvalidImageException.class).hasMessageStartingWith("png is truncated: its IDAT chunk at byte 33 claims");
            assertRejected(() -> DECODER.decodePng(b64(Arrays.copyOf(png, png.length - 12))),
                    "png is truncated: it ends at byte " + (png.length - 12) + " without an IEND chunk");
        }

        @Test
        void corruptHeader() {
            byte[] png = ImageDecoder.pngBytes(digit, 28, 28);
            byte[] badCrc = png.clone();
            badCrc[19]++; // width's low byte, without fixing the CRC
            assertRejected(() -> DECODER.decodePng(b64(badCrc)),
                    "png is corrupt: the checksum (CRC) of its IHDR chunk at byte 8 does not match its contents");
            byte[] notIhdr = concat(PngStructure.SIGNATURE, chunk("IDAT", new byte[13]), chunk("IEND", new byte[0]));
            assertRejected(() -> DECODER.decodePng(b64(notIhdr)), "png is corrupt: it does not start with a 13-byte IHDR header chunk");
            byte[] badDepth = concat(PngStructure.SIGNATURE, ihdr(28, 28, 3, 0), chunk("IEND", new byte[0]));
            assertRejected(() -> DECODER.decodePng(b64(badDepth)),
                    "png is corrupt: colour type 0 with bit depth 3 is not a valid PNG combination");
        }

        @Test
        void corruptDataIsCaughtByItsChecksum() {
            byte[] png = ImageDecoder.pngBytes(digit, 28, 28);
            byte[] flipped = png.clone();
            flipped[50] ^= 0x10; // inside the compressed image data
            assertRejected(() -> DECODER.decodePng(b64(flipped)),
                    "png is corrupt: the checksum (CRC) of its IDAT chunk at byte 33 does not match its contents");
        }

        @Test
        void undecodableDataWithValidChecksums() {
            byte[] garbage = new byte[100];
            Arrays.fill(garbage, (byte) 0xA5);
            byte[] png = concat(PngStructure.SIGNATURE, ihdr(28, 28, 8, 0), chunk("IDAT", garbage), chunk("IEND", new byte[0]));
            assertThatThrownBy(() -> DECODER.decodePng(b64(png))).isInstanceOf(InvalidImageException.class)
                    .hasMessageStartingWith("png could not be decoded: ");
            byte[] tooFewRows = concat(PngStructure.SIGNATURE, ihdr(28, 28, 8, 0), chunk("IDAT", zlib(new byte[29 * 3])),
                    chunk("IEND", new byte[0]));
            assertRejected(() -> DECODER.decodePng(b64(tooFewRows)),
                    "png could not be decoded: Error reading PNG image data: the image data ends before the last row");
            byte[] paletteWithoutPalette = concat(PngStructure.SIGNATURE, ihdr(28, 28, 8, 3),
                    chunk("IDAT", zlib(new byte[29 * 28])), chunk("IEND", new byte[0]));
            assertRejected(() -> DECODER.decodePng(b64(paletteWithoutPalette)),
                    "png could not be decoded: Error reading PNG metadata: Required PLTE chunk missing");
        }

        @Test
        void missingImageData() {
            byte[] png = concat(PngStructure.SIGNATURE, ihdr(28, 28, 8, 0), chunk("IEND", new byte[0]));
            assertRejected(() -> DECODER.decodePng(b64(png)), "png has no image data (no IDAT chunk)");
        }
    }
}
