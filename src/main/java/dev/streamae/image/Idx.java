package dev.streamae.image;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type
 * byte of 0x08 for unsigned bytes, the number of dimensions, then each dimension as an int).
 * Gzip is detected from the stream's magic bytes, so plain and {@code .gz} files both work.
 */
public final class Idx {

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMENSIONS = 3;

    private Idx() {
    }

    /** Images file (3 dimensions): {@code n} images of {@code rows x cols} unsigned bytes. */
    public record Images(int count, int rows, int cols, byte[] data) {

        public int size() {
            return rows * cols;
        }

        /** Image {@code i} as floats in [0, 1], row-major. */
        public float[] pixels(int i) {
            float[] out = new float[size()];
            int base = i * size();
            for (int p = 0; p < out.length; p++) {
                out[p] = (data[base + p] & 0xff) / 255f;
            }
            return out;
        }

        /** Image {@code i} as raw bytes. */
        public byte[] bytes(int i) {
            byte[] out = new byte[size()];
            System.arraycopy(data, i * size(), out, 0, out.length);
            return out;
        }
    }

    public static Images readImages(InputStream in, String name) {
        Header h = readHeader(in, name);
        if (h.dims.length != 3) {
            throw new IllegalArgumentException(name + ": an IDX images file has 3 dimensions, found " + h.dims.length);
        }
        return new Images(h.dims[0], h.dims[1], h.dims[2], h.data);
    }

    public static int[] readLabels(InputStream in, String name) {
        Header h = readHeader(in, name);
        if (h.dims.length != 1) {
            throw new IllegalArgumentException(name + ": an IDX labels file has 1 dimension, found " + h.dims.length);
        }
        int[] labels = new int[h.dims[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = h.data[i] & 0xff;
        }
        return labels;
    }

    public static Images readImages(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return readImages(in, path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public static int[] readLabels(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return readLabels(in, path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private record Header(int[] dims, byte[] data) {
    }

    private static Header readHeader(InputStream raw, String name) {
        try {
            DataInputStream in = new DataInputStream(maybeGunzip(raw));
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
                throw new IllegalArgumentException(String.format(
                        "%s: not an IDX file of unsigned bytes (magic 0x%08x)", name, magic));
            }
            int n = magic & 0xff;
            if (n < 1 || n > MAX_DIMENSIONS) {
                throw new IllegalArgumentException(name + ": unsupported number of dimensions " + n);
            }
            int[] dims = new int[n];
            long total = 1;
            for (int i = 0; i < n; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IllegalArgumentException(name + ": negative dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(name + ": " + total + " values is too large");
            }
            byte[] data = new byte[(int) total];
            in.readFully(data);
            return new Header(dims, data);
        } catch (EOFException e) {
            throw new IllegalArgumentException(name + ": truncated IDX file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new java.io.BufferedInputStream(in);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }

    /** Writes an uncompressed IDX images file (used by tests and tools that hand data to others). */
    public static byte[] encodeImages(Images images) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + images.data().length);
        writeInt(out, 0x00000803);
        writeInt(out, images.count());
        writeInt(out, images.rows());
        writeInt(out, images.cols());
        out.writeBytes(images.data());
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
