package dev.streamae.image;

import java.util.zip.CRC32;

/**
 * Reads a PNG's header and checks its chunk structure from the raw bytes, before any pixel data is
 * decoded. Two reasons to do this ourselves rather than trust the decoder:
 * <ul>
 *   <li>the header's dimensions must be checked before a decoder allocates a raster for them: a
 *       few dozen bytes can claim 100000x100000 pixels (a 10 GB raster);</li>
 *   <li>{@code javax.imageio}'s PNG reader does not verify chunk CRCs when metadata is ignored and
 *       stops reading once it has the rows it needs, so a flipped byte in the compressed data can
 *       decode into a silently wrong image. Checking every CRC is one pass over at most
 *       {@link ImageDecoder#DEFAULT_MAX_PNG_BYTES}-sized input.</li>
 * </ul>
 * Layout (PNG specification, ISO/IEC 15948): an 8-byte signature, then chunks of a 4-byte
 * big-endian length, a 4-byte type, the data and a CRC-32 of type and data. IHDR comes first.
 */
final class PngStructure {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static final int IHDR = 0x49484452;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int IHDR_LENGTH = 13;
    /** Signature, then IHDR: length, type, 13 bytes of data, CRC. */
    private static final int HEADER_END = 8 + 8 + IHDR_LENGTH + 4;

    private PngStructure() {
    }

    /**
     * The fields of IHDR. Width and height are unsigned 32-bit in the file, hence {@code long}.
     */
    record Header(long width, long height, int bitDepth, int colourType, int interlace) {
    }

    /** Checks the signature and the IHDR chunk (including its CRC) and returns the header. */
    static Header readHeader(byte[] png) {
        if (png.length < SIGNATURE.length || !startsWithSignature(png)) {
            throw new InvalidImageException("png is not a PNG file (it does not start with the PNG signature)");
        }
        if (png.length < HEADER_END) {
            throw new InvalidImageException("png is truncated: it has " + png.length
                    + " bytes, too few for the PNG header (IHDR)");
        }
        if (readInt(png, 8) != IHDR_LENGTH || readInt(png, 12) != IHDR) {
            throw new InvalidImageException("png is corrupt: it does not start with a 13-byte IHDR header chunk");
        }
        checkCrc(png, 8, IHDR_LENGTH, "IHDR");
        long width = Integer.toUnsignedLong(readInt(png, 16));
        long height = Integer.toUnsignedLong(readInt(png, 20));
        int bitDepth = png[24] & 0xff;
        int colourType = png[25] & 0xff;
        int interlace = png[28] & 0xff;
        if (!validDepth(colourType, bitDepth)) {
            throw new InvalidImageException("png is corrupt: colour type " + colourType + " with bit depth "
                    + bitDepth + " is not a valid PNG combination");
        }
        if (interlace > 1) {
            throw new InvalidImageException("png is corrupt: unknown interlace method " + interlace);
        }
        return new Header(width, height, bitDepth, colourType, interlace);
    }

    /**
     * Walks every chunk after IHDR: lengths must fit in the file, CRCs must match, image data must
     * be present and the file must end with IEND (bytes after IEND are ignored, as decoders do).
     */
    static void checkChunks(byte[] png) {
        int pos = HEADER_END;
        boolean sawData = false;
        while (true) {
            if (png.length - pos < 12) {
                throw new InvalidImageException("png is truncated: it ends at byte " + png.length
                        + " without an IEND chunk");
            }
            long length = Integer.toUnsignedLong(readInt(png, pos));
            int type = readInt(png, pos + 4);
            String name = chunkName(type);
            if (length > png.length - pos - 12L) {
                throw new InvalidImageException("png is truncated: its " + name + " chunk at byte " + pos
                        + " claims " + length + " bytes but only " + Math.max(0, png.length - pos - 12) + " remain");
            }
            checkCrc(png, pos, (int) length, name);
            if (type == IDAT) {
                sawData = true;
            } else if (type == IEND) {
                break;
            }
            pos += 12 + (int) length;
        }
        if (!sawData) {
            throw new InvalidImageException("png has no image data (no IDAT chunk)");
        }
    }

    private static void checkCrc(byte[] png, int chunkStart, int length, String name) {
        CRC32 crc = new CRC32();
        crc.update(png, chunkStart + 4, length + 4);
        int stored = readInt(png, chunkStart + 8 + length);
        if ((int) crc.getValue() != stored) {
            throw new InvalidImageException("png is corrupt: the checksum (CRC) of its " + name
                    + " chunk at byte " + chunkStart + " does not match its contents");
        }
    }

    /** Allowed bit depths per colour type (PNG specification, table 11.1). */
    private static boolean validDepth(int colourType, int bitDepth) {
        return switch (colourType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
    }

    private static boolean startsWithSignature(byte[] png) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (png[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** The chunk type as text when it is the four ASCII letters the format requires, else hex. */
    private static String chunkName(int type) {
        StringBuilder sb = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            char c = (char) ((type >>> shift) & 0xff);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return String.format("0x%08x", type);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static int readInt(byte[] b, int pos) {
        return (b[pos] & 0xff) << 24 | (b[pos + 1] & 0xff) << 16 | (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
    }
}
