package dev.streamae.model;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The binary snapshot format, version 2. Big-endian throughout ({@link DataOutputStream}):
 *
 * <pre>
 * magic            4 bytes  "SAEM" (StreamAE model)
 * format version   u16      2
 * flags            u8       bit 0: optimiser state present, bit 1: signed; other bits 0
 * layer count      u8       n, 2..{@value #MAX_LAYERS}
 * layer sizes      n x i32  encoder sizes, input first, code last; each 1..{@value #MAX_LAYER_SIZE}
 * error metric     u8       1 = mse, 2 = mae, 3 = bce
 * model name       u16 + bytes   UTF-8, 1..255 bytes
 * model version    i64
 * examples seen    i64
 * steps            i64
 * warm-up          i64      examples still needed to warm up (0 = warmed up)
 * created at       i64      epoch milliseconds
 * calibration      u8       1 if present, then {@link Calibration#writeTo}: i32 knots k (2..4096),
 *                           k x f64 errors, k x f64 log survival, f64 tail scale,
 *                           f64 contamination, i64 window count
 * parameter count  i32      must equal the architecture's parameter count
 * parameters       count x f32
 * [optimiser]      i32 count (1..4 x parameters), count x f32     if flag bit 0
 * [signature]      32 bytes HMAC-SHA256 of every byte before it     if flag bit 1
 * </pre>
 *
 * <p>Why a hand-written format rather than Java serialisation or DL4J's ModelSerializer: snapshots
 * arrive from a topic anyone with write access can fill, so the reader must be strict and cheap.
 * Every length is checked against a fixed limit and against the bytes actually present before
 * anything is allocated (a hostile header cannot make us allocate gigabytes), every value is
 * validated, trailing bytes are an error, and the signature is verified before the body is parsed.
 * Writing and reading take about a millisecond for the seed network, against 40-110 ms for
 * ModelSerializer.
 *
 * <p>Version 1, written before alerts were calibrated, had a quantile threshold with its window
 * statistics (six 8-bit fields, the last the warm-up count) where version 2 has the warm-up count,
 * and no calibration after the creation time. It is still read, as a snapshot without a
 * calibration (no alerts until the trainer publishes a calibrated one), so that scorers can be
 * upgraded while the topic still holds old snapshots.
 *
 * <p>Signing: a codec built with a key signs everything it writes and rejects unsigned snapshots
 * and bad signatures. A codec without a key writes unsigned snapshots and accepts signed ones
 * without checking them (the signature then guards nothing, but mixed deployments keep working).
 */
public final class SnapshotCodec {

    /** "SAEM": StreamAE model. Package-private: a public array could be changed by anyone. */
    static final byte[] MAGIC = {'S', 'A', 'E', 'M'};
    public static final int FORMAT_VERSION = 2;
    /** The version before calibrations, still read. */
    static final int FORMAT_VERSION_1 = 1;
    /** Cap on parameters (200 MB of float32) so that no header can make us allocate more. */
    public static final long MAX_PARAMETERS = 50_000_000L;
    public static final int MAX_LAYERS = 32;
    public static final int MAX_LAYER_SIZE = 1 << 20;
    /** Adam keeps two values per parameter; leave room for another optimiser, not for abuse. */
    public static final int MAX_OPTIMISER_VALUES_PER_PARAMETER = 4;
    public static final int SIGNATURE_BYTES = 32;
    /** Shortest key accepted: HMAC's security is bounded by the key's entropy. */
    public static final int MIN_KEY_BYTES = 16;

    private static final int FLAG_OPTIMISER = 1;
    private static final int FLAG_SIGNED = 2;
    private static final int KNOWN_FLAGS = FLAG_OPTIMISER | FLAG_SIGNED;
    /** Magic, version, flags. */
    private static final int PREAMBLE_BYTES = MAGIC.length + 2 + 1;
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    private SnapshotCodec(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, HMAC);
    }

    /** Writes unsigned snapshots; reads signed and unsigned ones without verifying signatures. */
    public static SnapshotCodec unsigned() {
        return new SnapshotCodec(null);
    }

    /** Signs what it writes and reads only snapshots carrying a valid signature under {@code key}. */
    public static SnapshotCodec signed(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a snapshot signing key needs at least " + MIN_KEY_BYTES
                    + " bytes, got " + (key == null ? "none" : key.length));
        }
        return new SnapshotCodec(key.clone());
    }

    /** {@link #signed} when {@code key} is given, {@link #unsigned} when it is {@code null}. */
    public static SnapshotCodec withOptionalKey(byte[] key) {
        return key == null ? unsigned() : signed(key);
    }

    public boolean signs() {
        return key != null;
    }

    /** Encodes {@code s} into {@code file}, replacing it. */
    public void write(Snapshot s, Path file) {
        try {
            Files.write(file, encode(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot " + file, e);
        }
    }

    /**
     * Reads and decodes the snapshot in {@code file}.
     *
     * @throws InvalidSnapshotException if the file holds no valid snapshot
     * @throws UncheckedIOException if it cannot be read
     */
    public Snapshot read(Path file) {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + file, e);
        }
    }

    /**
     * Writes into one array of exactly the snapshot's size: a trainer checkpoints a model of a few
     * MB many times a second, and every intermediate copy of that size is a humongous allocation
     * for G1 that starts a collection of its own.
     */
    public byte[] encode(Snapshot s) {
        checkEncodable(s);
        int[] sizes = s.architecture().encoderSizes();
        byte[] name = s.modelName().getBytes(StandardCharsets.UTF_8);
        int optimiserValues = s.hasOptimiserState() ? s.optimiserState().length : 0;
        // The layout above: preamble, layer count and sizes, metric, name, five 8-byte fields
        // (version, examples, steps, warm-up, creation time), the calibration, then the float arrays.
        Calibration calibration = s.calibration();
        long length = PREAMBLE_BYTES + 1 + 4L * sizes.length + 1 + 2 + name.length + 5 * 8
                + 1 + (calibration == null ? 0 : calibration.byteSize())
                + 4 + 4L * s.parameters().length + (s.hasOptimiserState() ? 4 + 4L * optimiserValues : 0);
        long total = length + (signs() ? SIGNATURE_BYTES : 0);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("snapshot of " + total + " bytes is too large to encode");
        }
        byte[] bytes = new byte[(int) total];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        out.put(MAGIC);
        out.putShort((short) FORMAT_VERSION);
        out.put((byte) ((s.hasOptimiserState() ? FLAG_OPTIMISER : 0) | (signs() ? FLAG_SIGNED : 0)));
        out.put((byte) sizes.length);
        for (int size : sizes) {
            out.putInt(size);
        }
        out.put((byte) metricCode(s.metric()));
        out.putShort((short) name.length);
        out.put(name);
        out.putLong(s.modelVersion());
        out.putLong(s.examplesSeen());
        out.putLong(s.steps());
        out.putLong(s.examplesToWarmUp());
        out.putLong(s.createdAt().toEpochMilli());
        out.put((byte) (calibration == null ? 0 : 1));
        if (calibration != null) {
            calibration.writeTo(out);
        }
        out.putInt(s.parameters().length);
        putFloats(out, s.parameters());
        if (s.hasOptimiserState()) {
            out.putInt(optimiserValues);
            putFloats(out, s.optimiserState());
        }
        if (out.position() != length) {
            throw new IllegalStateException("snapshot encoder wrote " + out.position() + " bytes, sized " + length);
        }
        if (signs()) {
            out.put(mac(bytes, (int) length));
        }
        return bytes;
    }

    private static void putFloats(ByteBuffer out, float[] values) {
        out.asFloatBuffer().put(values);
        out.position(out.position() + 4 * values.length);
    }

    /** The writer applies the reader's rules too, so that nothing we publish is rejected later. */
    private static void checkEncodable(Snapshot s) {
        int[] sizes = s.architecture().encoderSizes();
        if (sizes.length > MAX_LAYERS || Arrays.stream(sizes).anyMatch(v -> v > MAX_LAYER_SIZE)
                || s.architecture().parameterCount() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("architecture " + s.architecture() + " exceeds the snapshot format's limits");
        }
        if (s.hasOptimiserState()
                && s.optimiserState().length > (long) MAX_OPTIMISER_VALUES_PER_PARAMETER * s.parameters().length) {
            throw new IllegalArgumentException("optimiser state of " + s.optimiserState().length + " values is too large");
        }
        requireFinite(s.parameters(), "parameter", IllegalArgumentException::new);
        if (s.hasOptimiserState()) {
            requireFinite(s.optimiserState(), "optimiser state value", IllegalArgumentException::new);
        }
    }

    /**
     * Decodes and validates a snapshot.
     *
     * @throws InvalidSnapshotException naming the first problem found
     */
    public Snapshot decode(byte[] data) {
        if (data == null || data.length == 0) {
            throw new InvalidSnapshotException("empty snapshot");
        }
        int magicBytes = Math.min(MAGIC.length, data.length);
        if (!Arrays.equals(data, 0, magicBytes, MAGIC, 0, magicBytes)) {
            throw new InvalidSnapshotException("not a StreamAE snapshot: wrong magic bytes "
                    + HexFormat.of().formatHex(data, 0, magicBytes));
        }
        if (data.length < PREAMBLE_BYTES) {
            throw new InvalidSnapshotException("truncated snapshot: " + data.length + " bytes, not even a header");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        in.position(MAGIC.length);
        int version = Short.toUnsignedInt(in.getShort());
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
            throw new InvalidSnapshotException("unsupported snapshot format version " + version
                    + " (this reader understands versions " + FORMAT_VERSION_1 + " and " + FORMAT_VERSION + ")");
        }
        int flags = Byte.toUnsignedInt(in.get());
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new InvalidSnapshotException("unknown snapshot flags 0x" + Integer.toHexString(flags));
        }
        boolean signed = (flags & FLAG_SIGNED) != 0;
        int bodyEnd = data.length;
        if (signed) {
            if (data.length < PREAMBLE_BYTES + SIGNATURE_BYTES) {
                throw new InvalidSnapshotException("truncated snapshot: too short to hold its signature");
            }
            bodyEnd = data.length - SIGNATURE_BYTES;
        }
        if (signs()) {
            if (!signed) {
                throw new InvalidSnapshotException("unsigned snapshot, but this reader requires a signature");
            }
            // Authenticate before parsing: nothing unsigned gets interpreted.
            byte[] expected = mac(data, bodyEnd);
            if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(data, bodyEnd, data.length))) {
                throw new InvalidSnapshotException("bad signature: the snapshot was altered, truncated "
                        + "or signed with another key");
            }
        }
        in.limit(bodyEnd);
        Snapshot snapshot = readBody(in, (flags & FLAG_OPTIMISER) != 0, version);
        if (in.hasRemaining()) {
            throw new InvalidSnapshotException("trailing bytes after the snapshot: " + in.remaining());
        }
        return snapshot;
    }

    private static Snapshot readBody(ByteBuffer in, boolean hasOptimiser, int version) {
        int layers = Byte.toUnsignedInt(get(in, 1, "layer count").get());
        if (layers < 2 || layers > MAX_LAYERS) {
            throw new InvalidSnapshotException("bad architecture: " + layers + " layer sizes (2 to " + MAX_LAYERS + " allowed)");
        }
        int[] sizes = new int[layers];
        get(in, 4L * layers, "layer sizes");
        for (int i = 0; i < layers; i++) {
            sizes[i] = in.getInt();
            if (sizes[i] < 1 || sizes[i] > MAX_LAYER_SIZE) {
                throw new InvalidSnapshotException("bad architecture: layer size " + sizes[i] + " (1 to "
                        + MAX_LAYER_SIZE + " allowed)");
            }
        }
        Architecture architecture = new Architecture(sizes);
        long parameterCount = architecture.parameterCount();
        if (parameterCount > MAX_PARAMETERS) {
            throw new InvalidSnapshotException("unreasonable architecture " + architecture + ": " + parameterCount
                    + " parameters, more than the limit of " + MAX_PARAMETERS);
        }
        ErrorMetric metric = metricOf(Byte.toUnsignedInt(get(in, 1, "error metric").get()));
        int nameLength = Short.toUnsignedInt(get(in, 2, "model name length").getShort());
        if (nameLength < 1 || nameLength > Snapshot.MAX_NAME_BYTES) {
            throw new InvalidSnapshotException("bad model name length " + nameLength);
        }
        byte[] nameBytes = new byte[nameLength];
        get(in, nameLength, "model name").get(nameBytes);
        String name = utf8(nameBytes);
        get(in, 3 * 8, "counters");
        long modelVersion = in.getLong();
        long examplesSeen = in.getLong();
        long steps = in.getLong();
        long examplesToWarmUp;
        Calibration calibration = null;
        Instant createdAt;
        if (version == FORMAT_VERSION_1) {
            // Value, quantile, window count, mean and standard deviation of the old threshold: unused.
            get(in, 6 * 8 + 8, "threshold and creation time");
            in.position(in.position() + 5 * 8);
            examplesToWarmUp = in.getLong();
            createdAt = Instant.ofEpochMilli(in.getLong());
        } else {
            get(in, 2 * 8 + 1, "warm-up, creation time and calibration flag");
            examplesToWarmUp = in.getLong();
            createdAt = Instant.ofEpochMilli(in.getLong());
            int present = Byte.toUnsignedInt(in.get());
            if (present > 1) {
                throw new InvalidSnapshotException("bad calibration flag " + present);
            }
            if (present == 1) {
                int at = in.position();
                int knots = get(in, 4, "calibration").getInt(at);
                if (knots >= 2 && knots <= Calibration.MAX_KNOTS) {
                    get(in, 4 + 16L * knots + 24, "calibration");
                }
                try {
                    calibration = Calibration.readFrom(in);
                } catch (IllegalArgumentException e) {
                    throw new InvalidSnapshotException("invalid snapshot: " + e.getMessage(), e);
                }
            }
        }
        int count = get(in, 4, "parameter count").getInt();
        if (count != parameterCount) {
            throw new InvalidSnapshotException("parameter count mismatch: header says " + Integer.toUnsignedString(count)
                    + ", architecture " + architecture + " has " + parameterCount);
        }
        float[] parameters = readFloats(in, count, "parameters");
        requireFinite(parameters, "parameter", InvalidSnapshotException::new);
        float[] optimiser = null;
        if (hasOptimiser) {
            int optimiserCount = get(in, 4, "optimiser state length").getInt();
            if (optimiserCount < 1 || optimiserCount > MAX_OPTIMISER_VALUES_PER_PARAMETER * parameterCount) {
                throw new InvalidSnapshotException("bad optimiser state length " + Integer.toUnsignedString(optimiserCount)
                        + " for " + parameterCount + " parameters");
            }
            optimiser = readFloats(in, optimiserCount, "optimiser state");
            requireFinite(optimiser, "optimiser state value", InvalidSnapshotException::new);
        }
        try {
            return new Snapshot(name, modelVersion, architecture, metric, examplesSeen, steps, examplesToWarmUp,
                    calibration, createdAt, parameters, optimiser);
        } catch (IllegalArgumentException e) {
            // The records' own rules (negative counters, a quantile outside (0, 1), ...).
            throw new InvalidSnapshotException("invalid snapshot: " + e.getMessage(), e);
        }
    }

    /** Checks that {@code bytes} more are present before anything reads or allocates them. */
    private static ByteBuffer get(ByteBuffer in, long bytes, String field) {
        if (in.remaining() < bytes) {
            throw new InvalidSnapshotException("truncated snapshot: it ends inside the " + field + " ("
                    + bytes + " bytes needed, " + in.remaining() + " left)");
        }
        return in;
    }

    private static float[] readFloats(ByteBuffer in, int count, String field) {
        get(in, 4L * count, field);
        float[] values = new float[count];
        in.asFloatBuffer().get(values);
        in.position(in.position() + 4 * count);
        return values;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidSnapshotException("model name is not valid UTF-8", e);
        }
    }

    private static <E extends RuntimeException> void requireFinite(float[] values, String what,
            Function<String, E> error) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw error.apply("non-finite " + what + " at index " + i + ": " + values[i]);
            }
        }
    }

    /** Fixed codes rather than ordinals, so that reordering the enum cannot change the format. */
    private static int metricCode(ErrorMetric metric) {
        return switch (metric) {
            case MSE -> 1;
            case MAE -> 2;
            case BCE -> 3;
        };
    }

    private static ErrorMetric metricOf(int code) {
        return switch (code) {
            case 1 -> ErrorMetric.MSE;
            case 2 -> ErrorMetric.MAE;
            case 3 -> ErrorMetric.BCE;
            default -> throw new InvalidSnapshotException("unknown error metric code " + code);
        };
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }
}
