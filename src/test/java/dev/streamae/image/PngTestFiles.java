package dev.streamae.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Hand-built PNG files for tests: chunks with correct CRCs, so only the intended flaw is present.
 * Public for the hostile-input corpus of the broker tests ({@code dev.streamae.it.MalformedRecords}).
 */
public final class PngTestFiles {

    private PngTestFiles() {
    }

    public static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data)
                .putInt((int) crc.getValue()).array();
    }

    public static byte[] ihdr(long width, long height, int bitDepth, int colourType) {
        return chunk("IHDR", ByteBuffer.allocate(13).putInt((int) width).putInt((int) height)
                .put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    public static byte[] zlib(byte[] raw) {
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = deflater.deflate(buf);
        deflater.end();
        return java.util.Arrays.copyOf(buf, n);
    }

    /** A valid 8-bit gray PNG built by hand (filter byte 0 per row), with optional extra chunks before IDAT. */
    public static byte[] gray8(int width, int height, byte[] samples, byte[]... extraChunks) {
        byte[] raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++) {
            System.arraycopy(samples, y * width, raw, y * (width + 1) + 1, width);
        }
        return concat(PngStructure.SIGNATURE, ihdr(width, height, 8, 0), concat(extraChunks),
                chunk("IDAT", zlib(raw)), chunk("IEND", new byte[0]));
    }

    /** Signature and a header claiming {@code width x height}, a tiny IDAT and IEND: a decompression bomb's shape. */
    public static byte[] claiming(long width, long height) {
        return concat(PngStructure.SIGNATURE, ihdr(width, height, 8, 0), chunk("IDAT", zlib(new byte[16])),
                chunk("IEND", new byte[0]));
    }
}
