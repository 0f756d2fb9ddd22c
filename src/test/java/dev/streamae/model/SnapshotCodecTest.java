package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SnapshotCodecTest {

    private static final SnapshotCodec UNSIGNED = SnapshotCodec.unsigned();
    private static final SnapshotCodec SIGNED = SnapshotCodec.signed(GoldenSnapshots.KEY);
    private static final SnapshotCodec OTHER_KEY = SnapshotCodec.signed("another key, also long enough".getBytes(StandardCharsets.UTF_8));

    /** Byte offset of the first parameter: preamble, sizes, metric, name, counters, calibration, count. */
    private static int parametersOffset(int layers, int nameBytes, int calibrationBytes) {
        return calibrationOffset(layers, nameBytes) + calibrationBytes + 4;
    }

    /** Byte offset of the calibration flag: preamble, sizes, metric, name, five 8-byte fields. */
    private static int calibrationOffset(int layers, int nameBytes) {
        return 4 + 2 + 1 + 1 + 4 * layers + 1 + 2 + nameBytes + 8 * 5;
    }

    private static final int UNSIGNED_PARAMS = parametersOffset(3, "gölden".getBytes(StandardCharsets.UTF_8).length, 1);
    private static final int SIGNED_CALIBRATION = calibrationOffset(3, "golden".length());
    private static final int SIGNED_PARAMS = parametersOffset(3, "golden".length(),
            1 + GoldenSnapshots.calibration().byteSize());

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(SnapshotCodec codec, byte[] data) {
        return assertThatThrownBy(() -> codec.decode(data)).isInstanceOf(InvalidSnapshotException.class);
    }

    static Stream<Arguments> roundTrips() {
        Snapshot full = GoldenSnapshots.signedWithOptimiser();
        return Stream.of(
                Arguments.of(UNSIGNED, full.withoutOptimiserState()),
                Arguments.of(UNSIGNED, full),
                Arguments.of(SIGNED, full),
                Arguments.of(SIGNED, full.withoutOptimiserState()));
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void roundTripsExactly(SnapshotCodec codec, Snapshot snapshot) {
        Snapshot decoded = codec.decode(codec.encode(snapshot));
        assertThat(decoded).isEqualTo(snapshot);
        assertThat(decoded.parameters()).isEqualTo(snapshot.parameters());
        assertThat(decoded.optimiserState()).isEqualTo(snapshot.optimiserState());
    }

    @Test
    void seedNetworkRoundTripsWithItsSizes() {
        Dl4jAutoencoder model = new Dl4jAutoencoder(Architecture.SEED, ErrorMetric.MSE, 0.005, 1);
        Snapshot s = Snapshot.of("mnist", 3, model.state(true), ErrorMetric.MSE, 0, 2_000, null, Instant.now());
        byte[] full = SIGNED.encode(s);
        byte[] scorerOnly = SIGNED.encode(s.withoutOptimiserState());
        int header = parametersOffset(5, 5, 1);
        assertThat(scorerOnly).hasSize(header + 4 * 219_891 + 32);
        assertThat(full).hasSize(header + 4 * 219_891 + 4 + 8 * 219_891 + 32);
        assertThat(SIGNED.decode(full)).isEqualTo(s);
    }

    @Test
    void aReaderWithoutKeyAcceptsSignedSnapshots() {
        byte[] signed = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        assertThat(UNSIGNED.decode(signed)).isEqualTo(GoldenSnapshots.signedWithOptimiser());
    }

    @Test
    void goldenFilesDecodeToKnownValues() {
        Snapshot s = SIGNED.decode(GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE));
        assertThat(s).isEqualTo(GoldenSnapshots.signedWithOptimiser());
        // Spelled out, so that a change to GoldenSnapshots cannot silently move the goalposts.
        assertThat(s.modelName()).isEqualTo("golden");
        assertThat(s.modelVersion()).isEqualTo(7);
        assertThat(s.architecture()).isEqualTo(Architecture.parse("4-3-2"));
        assertThat(s.metric()).isEqualTo(ErrorMetric.BCE);
        assertThat(s.examplesSeen()).isEqualTo(12_345);
        assertThat(s.steps()).isEqualTo(193);
        assertThat(s.examplesToWarmUp()).isZero();
        assertThat(s.alerting()).isTrue();
        assertThat(s.calibration().errors()).containsExactly(0.03125, 0.0625, 0.09375);
        assertThat(s.calibration().pValue(0.0625)).isCloseTo(0.125, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.calibration().tailScale()).isEqualTo(0.0078125);
        assertThat(s.calibration().contamination()).isEqualTo(0.015625);
        assertThat(s.calibration().windowCount()).isEqualTo(1_000);
        assertThat(s.createdAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
        assertThat(s.parameters()).hasSize(48).startsWith(-1.5f, -1.4375f).endsWith(1.4375f);
        assertThat(s.optimiserState()).hasSize(96).startsWith(0f, 1 / 1024f).endsWith(95 / 1024f);

        Snapshot u = UNSIGNED.decode(GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE));
        assertThat(u).isEqualTo(GoldenSnapshots.unsignedWarmingUp());
        assertThat(u.modelName()).isEqualTo("gölden");
        assertThat(u.metric()).isEqualTo(ErrorMetric.MAE);
        assertThat(u.alerting()).isFalse();
        assertThat(u.examplesToWarmUp()).isEqualTo(936);
        assertThat(u.calibration()).isNull();
        assertThat(u.hasOptimiserState()).isFalse();
    }

    @Test
    void versionOneFilesStillDecodeWithoutACalibration() {
        Snapshot s = SIGNED.decode(GoldenSnapshots.read(GoldenSnapshots.SIGNED_V1_FILE));
        assertThat(s).isEqualTo(GoldenSnapshots.signedWithOptimiserV1());
        assertThat(s.calibration()).isNull();
        assertThat(s.alerting()).as("a version 1 snapshot has no calibration, so it raises no alerts").isFalse();
        assertThat(s.examplesToWarmUp()).isZero();
        assertThat(s.optimiserState()).hasSize(96);
        Snapshot u = UNSIGNED.decode(GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_V1_FILE));
        assertThat(u).isEqualTo(GoldenSnapshots.unsignedWarmingUpV1());
        assertThat(u.examplesToWarmUp()).isEqualTo(936);
        // What is written is always the current version.
        assertThat(UNSIGNED.encode(u)[5]).isEqualTo((byte) SnapshotCodec.FORMAT_VERSION);
    }

    @Test
    void writerReproducesTheGoldenFilesByteForByte() {
        assertThat(SIGNED.encode(GoldenSnapshots.signedWithOptimiser()))
                .isEqualTo(GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE));
        assertThat(UNSIGNED.encode(GoldenSnapshots.unsignedWarmingUp()))
                .isEqualTo(GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE));
    }

    @Test
    void everyTruncationIsReportedAsSuch() {
        byte[] unsigned = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        rejects(UNSIGNED, new byte[0]).hasMessage("empty snapshot");
        for (int length = 1; length < unsigned.length; length++) {
            rejects(UNSIGNED, Arrays.copyOf(unsigned, length)).hasMessageContaining("truncated");
        }
        rejects(UNSIGNED, Arrays.copyOf(unsigned, 10)).hasMessageContaining("ends inside the layer sizes");
        rejects(UNSIGNED, Arrays.copyOf(unsigned, UNSIGNED_PARAMS + 7)).hasMessageContaining("ends inside the parameters");

        byte[] signed = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        for (int length = 1; length < signed.length; length += 7) {
            byte[] cut = Arrays.copyOf(signed, length);
            rejects(UNSIGNED, cut).hasMessageContaining("truncated");
            rejects(SIGNED, cut).hasMessageMatching(".*(truncated|bad signature).*");
        }
    }

    @Test
    void garbageAndWrongMagicAreRejected() {
        rejects(UNSIGNED, "{\"id\":\"not a model\"}".getBytes(StandardCharsets.UTF_8)).hasMessageContaining("wrong magic");
        byte[] flipped = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        flipped[0] ^= 0x20;
        rejects(UNSIGNED, flipped).hasMessageContaining("wrong magic bytes 7341454d");
        rejects(SIGNED, flipped).hasMessageContaining("wrong magic");
    }

    @Test
    void otherFormatVersionsAndUnknownFlagsAreRejected() {
        byte[] data = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        data[5] = 3;
        rejects(UNSIGNED, data).hasMessageContaining("unsupported snapshot format version 3");
        data = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        data[6] = (byte) 0x80;
        rejects(UNSIGNED, data).hasMessageContaining("unknown snapshot flags 0x80");
    }

    @Test
    void nonFiniteWeightsAreRejected() {
        byte[] data = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        ByteBuffer.wrap(data).putFloat(UNSIGNED_PARAMS + 4 * 5, Float.NaN);
        rejects(UNSIGNED, data).hasMessageContaining("non-finite parameter at index 5: NaN");

        byte[] signed = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        int optimiser = SIGNED_PARAMS + 4 * 48 + 4;
        ByteBuffer.wrap(signed).putFloat(optimiser + 4 * 3, Float.NEGATIVE_INFINITY);
        rejects(UNSIGNED, signed).hasMessageContaining("non-finite optimiser state value at index 3");
        // With a key the alteration itself is caught first.
        rejects(SIGNED, signed).hasMessageContaining("bad signature");
    }

    @Test
    void signaturesAreEnforcedWhenTheReaderHasAKey() {
        byte[] signed = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        rejects(OTHER_KEY, signed).hasMessageContaining("bad signature");
        rejects(SIGNED, GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE))
                .hasMessageContaining("unsigned snapshot, but this reader requires a signature");

        // One bit of the model version: still a well-formed snapshot, but not the one signed.
        byte[] tampered = signed.clone();
        int modelVersion = 4 + 2 + 1 + 1 + 4 * 3 + 1 + 2 + 6;
        tampered[modelVersion + 7] ^= 1;
        assertThat(UNSIGNED.decode(tampered).modelVersion()).isEqualTo(6);
        rejects(SIGNED, tampered).hasMessageContaining("bad signature");

        // A flipped signature byte, and a stripped signature with the flag cleared.
        byte[] badSignature = signed.clone();
        badSignature[badSignature.length - 1] ^= 1;
        rejects(SIGNED, badSignature).hasMessageContaining("bad signature");
        byte[] stripped = Arrays.copyOf(signed, signed.length - SnapshotCodec.SIGNATURE_BYTES);
        stripped[6] &= ~2;
        rejects(SIGNED, stripped).hasMessageContaining("unsigned snapshot");
    }

    @Test
    void trailingBytesAndCountMismatchesAreRejected() {
        byte[] data = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        rejects(UNSIGNED, Arrays.copyOf(data, data.length + 3)).hasMessageContaining("trailing bytes after the snapshot: 3");
        ByteBuffer.wrap(data).putInt(UNSIGNED_PARAMS - 4, 47);
        rejects(UNSIGNED, data).hasMessageContaining("parameter count mismatch: header says 47, architecture 4-3-2 has 48");
    }

    /** A header of our own making, up to and including the layer sizes. */
    private static byte[] header(int... sizes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(SnapshotCodec.MAGIC);
        out.writeShort(SnapshotCodec.FORMAT_VERSION);
        out.writeByte(0);
        out.writeByte(sizes.length);
        for (int s : sizes) {
            out.writeInt(s);
        }
        return bytes.toByteArray();
    }

    @Test
    void hostileHeadersCannotMakeUsAllocate() throws IOException {
        rejects(UNSIGNED, header(1 << 20, 1 << 20)).hasMessageContaining("unreasonable architecture")
                .hasMessageContaining("limit of 50000000");
        rejects(UNSIGNED, header(784, Integer.MAX_VALUE)).hasMessageContaining("bad architecture: layer size 2147483647");
        rejects(UNSIGNED, header(784, 0)).hasMessageContaining("layer size 0");
        rejects(UNSIGNED, header(new int[40])).hasMessageContaining("40 layer sizes");
        rejects(UNSIGNED, header(784)).hasMessageContaining("1 layer sizes");
        // Within the cap but absent: reported as truncated before the 128 MB array is made.
        byte[] big = UNSIGNED.encode(GoldenSnapshots.unsignedWarmingUp());
        byte[] head = header(4000, 4000);
        byte[] rest = Arrays.copyOfRange(big, 8 + 12, UNSIGNED_PARAMS);
        byte[] data = Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, data, head.length, rest.length);
        ByteBuffer.wrap(data).putInt(data.length - 4, 4000 * 4000 * 2 + 8000);
        rejects(UNSIGNED, data).hasMessageContaining("ends inside the parameters (128032000 bytes needed, 0 left)");
    }

    @Test
    void badFieldsAreRejectedWithTheirNames() {
        byte[] metric = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        metric[20] = 9;
        rejects(UNSIGNED, metric).hasMessageContaining("unknown error metric code 9");

        byte[] name = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        name[24] = (byte) 0xff;
        rejects(UNSIGNED, name).hasMessageContaining("model name is not valid UTF-8");

        byte[] emptyName = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        emptyName[21] = 0;
        emptyName[22] = 0;
        rejects(UNSIGNED, emptyName).hasMessageContaining("bad model name length 0");

        byte[] flag = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        flag[calibrationOffset(3, "gölden".getBytes(StandardCharsets.UTF_8).length)] = 2;
        rejects(UNSIGNED, flag).hasMessageContaining("bad calibration flag 2");

        byte[] knots = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        ByteBuffer.wrap(knots).putInt(SIGNED_CALIBRATION + 1, 1);
        rejects(UNSIGNED, knots).hasMessageContaining("calibration: 1 knots (2 to 4096 allowed)");

        byte[] hostileKnots = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        ByteBuffer.wrap(hostileKnots).putInt(SIGNED_CALIBRATION + 1, 4096);
        rejects(UNSIGNED, hostileKnots).hasMessageContaining("ends inside the calibration (65564 bytes needed");

        byte[] nanKnot = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        ByteBuffer.wrap(nanKnot).putDouble(SIGNED_CALIBRATION + 1 + 4 + 8, Double.NaN);
        rejects(UNSIGNED, nanKnot).hasMessageContaining("calibration knot 1 is not finite");

        byte[] unordered = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        ByteBuffer.wrap(unordered).putDouble(SIGNED_CALIBRATION + 1 + 4 + 8, 0.5);
        rejects(UNSIGNED, unordered).hasMessageContaining("knot 2 does not");

        byte[] contamination = GoldenSnapshots.read(GoldenSnapshots.SIGNED_FILE);
        ByteBuffer.wrap(contamination).putDouble(SIGNED_CALIBRATION + 1 + 4 + 6 * 8 + 8, 1.5);
        rejects(UNSIGNED, contamination).hasMessageContaining("contamination must be in [0, 1], got 1.5");

        byte[] steps = GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE);
        ByteBuffer.wrap(steps).putLong(4 + 2 + 1 + 1 + 12 + 1 + 2 + 7 + 16, -5);
        rejects(UNSIGNED, steps).hasMessageContaining("step count must not be negative");
    }

    @Test
    void theScorerCanDemandItsOwnArchitecture() {
        Snapshot s = UNSIGNED.decode(GoldenSnapshots.read(GoldenSnapshots.UNSIGNED_FILE));
        assertThat(s.requireArchitecture(Architecture.parse("4-3-2"))).isSameAs(s);
        assertThatThrownBy(() -> s.requireArchitecture(Architecture.SEED)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("wrong architecture").hasMessageContaining("is 4-3-2")
                .hasMessageContaining("784-128-64-12-3");
    }

    @Test
    void theWriterRefusesWhatTheReaderWouldReject() {
        Snapshot s = GoldenSnapshots.signedWithOptimiser();
        float[] params = s.parameters().clone();
        params[3] = Float.POSITIVE_INFINITY;
        Snapshot bad = new Snapshot(s.modelName(), 1, s.architecture(), s.metric(), 0, 0, s.examplesToWarmUp(),
                s.calibration(), s.createdAt(), params, null);
        assertThatThrownBy(() -> UNSIGNED.encode(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter at index 3");
        assertThatThrownBy(() -> SnapshotCodec.signed("short".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("at least 16 bytes");
    }

    @Test
    void createdAtKeepsMillisecondsOnly() {
        Snapshot s = GoldenSnapshots.unsignedWarmingUp();
        Snapshot precise = new Snapshot(s.modelName(), 1, s.architecture(), s.metric(), 0, 0, s.examplesToWarmUp(),
                s.calibration(), Instant.parse("2026-03-04T05:06:07.123456789Z"), s.parameters(), null);
        assertThat(UNSIGNED.decode(UNSIGNED.encode(precise)).createdAt()).isEqualTo(Instant.parse("2026-03-04T05:06:07.123Z"));
        assertThat(precise.toString()).contains("48 parameters").doesNotContain("-1.5");
    }
}
