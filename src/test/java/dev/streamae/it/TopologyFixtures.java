package dev.streamae.it;

import dev.streamae.model.Architecture;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.ModelState;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.time.Instant;

/** Snapshots that a scorer of the seed network must refuse. */
final class TopologyFixtures {

    private TopologyFixtures() {
    }

    /** A well-formed snapshot, newer than anything the trainer made, of a 784-64-3 network. */
    static byte[] wrongShapeSnapshot() {
        Architecture other = Architecture.parse("784-64-3");
        ModelState state = new ModelState(other, new float[(int) other.parameterCount()], null, 1);
        return SnapshotCodec.unsigned().encode(Snapshot.of("streamae", 1_000_000, state, ErrorMetric.MSE, 1_000_000,
                new Snapshot.Threshold(0.01, 0.99, 100, 0.01, 0.01, 0), Instant.now()));
    }
}
