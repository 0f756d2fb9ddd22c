package dev.streamae.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The snapshots stored under {@code src/test/resources/snapshots}: a tiny 4-3-2 network with
 * parameters chosen to be exact in float32. The files guard the format: today's reader must decode
 * them to these values and today's writer must reproduce the current version's files byte for
 * byte. Version 1 files (before calibrations) are kept and must still decode. Regenerate the
 * current version's files (only for a deliberate new format version, keeping the old files) with
 * {@code java -cp target/test-classes:target/classes dev.streamae.model.GoldenSnapshots src/test/resources/snapshots}.
 */
final class GoldenSnapshots {

    static final Architecture ARCHITECTURE = Architecture.parse("4-3-2");
    static final byte[] KEY = "golden-snapshot-key-0123456789ab".getBytes(StandardCharsets.US_ASCII);
    static final String SIGNED_FILE = "v2-4-3-2-signed-with-optimiser.bin";
    static final String UNSIGNED_FILE = "v2-4-3-2-unsigned.bin";
    static final String SIGNED_V1_FILE = "v1-4-3-2-signed-with-optimiser.bin";
    static final String UNSIGNED_V1_FILE = "v1-4-3-2-unsigned.bin";

    private GoldenSnapshots() {
    }

    /** Parameters (i - 24) / 16 and optimiser values i / 1024: exact binary fractions. */
    static float[] parameters() {
        float[] params = new float[(int) ARCHITECTURE.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (i - 24) / 16f;
        }
        return params;
    }

    static float[] optimiser() {
        float[] optimiser = new float[2 * (int) ARCHITECTURE.parameterCount()];
        for (int i = 0; i < optimiser.length; i++) {
            optimiser[i] = i / 1024f;
        }
        return optimiser;
    }

    /** Three knots with exact binary values: p = 1, 1/8, 1/1024 at errors 1/32, 1/16, 3/32. */
    static Calibration calibration() {
        return new Calibration(new double[] {0.03125, 0.0625, 0.09375},
                new double[] {0, Math.log(0.125), Math.log(1.0 / 1024)}, 0.0078125, 0.015625, 1_000);
    }

    static Snapshot signedWithOptimiser() {
        return new Snapshot("golden", 7, ARCHITECTURE, ErrorMetric.BCE, 12_345, 193, 0, calibration(),
                Instant.parse("2026-01-02T03:04:05.678Z"), parameters(), optimiser());
    }

    static Snapshot unsignedWarmingUp() {
        return new Snapshot("gölden", 1, ARCHITECTURE, ErrorMetric.MAE, 64, 1, 936, null,
                Instant.parse("1970-01-01T00:00:00.001Z"), parameters(), null);
    }

    /** What the version 1 files decode to: their threshold statistics are dropped, no calibration. */
    static Snapshot signedWithOptimiserV1() {
        return new Snapshot("golden", 7, ARCHITECTURE, ErrorMetric.BCE, 12_345, 193, 0, null,
                Instant.parse("2026-01-02T03:04:05.678Z"), parameters(), optimiser());
    }

    static Snapshot unsignedWarmingUpV1() {
        return unsignedWarmingUp();
    }

    static byte[] read(String file) {
        try (InputStream in = GoldenSnapshots.class.getResourceAsStream("/snapshots/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource snapshots/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve(SIGNED_FILE), SnapshotCodec.signed(KEY).encode(signedWithOptimiser()));
        Files.write(dir.resolve(UNSIGNED_FILE), SnapshotCodec.unsigned().encode(unsignedWarmingUp()));
    }
}
