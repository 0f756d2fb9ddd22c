package dev.streamae.it;

import dev.streamae.model.Architecture;
import dev.streamae.model.Calibration;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.ModelState;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Snapshots that a scorer of the seed network must refuse, and the tools to make more. */
final class TopologyFixtures {

    private TopologyFixtures() {
    }

    /** A well-formed snapshot, newer than anything the trainer made, of a 784-64-3 network. */
    static byte[] wrongShapeSnapshot() {
        return SnapshotCodec.unsigned().encode(snapshot(Architecture.parse("784-64-3"), 1_000_000));
    }

    /** A well-formed warmed-up snapshot of {@code architecture} with all-zero weights. */
    static Snapshot snapshot(Architecture architecture, long version) {
        ModelState state = new ModelState(architecture, new float[(int) architecture.parameterCount()], null, 1);
        Calibration calibration = new Calibration(new double[] {0.0025, 0.01}, new double[] {0, Math.log(0.005)}, 0.001,
                0, 100);
        return Snapshot.of("streamae", version, state, ErrorMetric.BCE, 1_000_000, 0, calibration, Instant.now());
    }

    /**
     * {@code body} (a snapshot's bytes without a signature, flagged as signed) followed by its
     * HMAC-SHA256 under {@code key}: how a holder of the key signs whatever it likes.
     */
    static byte[] signRaw(byte[] body, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = Arrays.copyOf(body, body.length + SnapshotCodec.SIGNATURE_BYTES);
            System.arraycopy(mac.doFinal(body), 0, out, body.length, SnapshotCodec.SIGNATURE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
