package dev.streamae.streams;

import dev.streamae.model.AlertCalibrator;
import dev.streamae.model.ModelState;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.time.Instant;

/**
 * How the topologies make and read {@link Snapshot}s: the trainer's published snapshots (signed
 * when a key is configured) and its private checkpoint, and the scorer's checks on what it loads.
 */
final class ModelSnapshots {

    private static final SnapshotCodec CHECKPOINT_CODEC = SnapshotCodec.unsigned();

    private ModelSnapshots() {
    }

    /**
     * A snapshot of the model with the calibrator's newest calibration. It counts as warmed up only
     * once that calibration was itself fitted after the warm-up, so that no alert is ever judged by
     * what a half-trained model's errors looked like.
     */
    static Snapshot snapshot(StreamAeSettings settings, String model, ModelState state, long version, long examplesSeen,
                             AlertCalibrator calibrator, long now) {
        long toWarmUp = calibrator.warm() ? 0 : Math.max(1, settings.warmupExamples() - examplesSeen);
        return Snapshot.of(model, version, state, settings.metric(), examplesSeen, toWarmUp,
                calibrator.calibration(), Instant.ofEpochMilli(now));
    }

    /** The bytes published to {@code models}. */
    static byte[] encodePublished(StreamAeSettings settings, Snapshot snapshot) {
        return SnapshotCodec.withOptionalKey(settings.signingKey()).encode(snapshot);
    }

    /**
     * Decodes a snapshot read from {@code models} and checks it fits the scorer's model.
     *
     * @throws dev.streamae.model.InvalidSnapshotException naming the problem
     */
    static Snapshot decodePublished(byte[] bytes, StreamAeSettings settings) {
        return SnapshotCodec.withOptionalKey(settings.signingKey()).decode(bytes)
                .requireArchitecture(settings.architecture());
    }

    /** The trainer's checkpoint: a snapshot with the optimiser state, never published. */
    static byte[] encodeCheckpoint(Snapshot snapshot) {
        return CHECKPOINT_CODEC.encode(snapshot);
    }

    static Snapshot decodeCheckpoint(byte[] bytes, StreamAeSettings settings) {
        return CHECKPOINT_CODEC.decode(bytes).requireArchitecture(settings.architecture());
    }
}
