package dev.streamae.streams;

import dev.streamae.model.ModelState;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.model.ThresholdWindow;
import java.time.Instant;

/**
 * How the topologies make and read {@link Snapshot}s: the trainer's published snapshots (signed
 * when a key is configured) and its private checkpoint, and the scorer's checks on what it loads.
 */
final class ModelSnapshots {

    private static final SnapshotCodec CHECKPOINT_CODEC = SnapshotCodec.unsigned();

    private ModelSnapshots() {
    }

    static Snapshot snapshot(StreamAeSettings settings, ModelState state, long version, long examplesSeen,
                             ThresholdWindow window, long now) {
        long toWarmUp = Math.max(0, settings.warmupExamples() - examplesSeen);
        Snapshot.Threshold threshold = window.isEmpty()
                ? Snapshot.Threshold.warmingUp(settings.thresholdQuantile(), Math.max(1, toWarmUp))
                : Snapshot.Threshold.of(window, settings.thresholdQuantile(), toWarmUp);
        return Snapshot.of(settings.modelName(), version, state, settings.metric(), examplesSeen, threshold,
                Instant.ofEpochMilli(now));
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
