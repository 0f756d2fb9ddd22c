package dev.streamae.streams;

import java.nio.ByteBuffer;

/**
 * The trainer's counters, kept in its logged state store beside the model so that they move in
 * the same transaction as the input offsets: after a crash they are exactly as committed.
 *
 * @param examplesSeen training examples folded into the model
 * @param skippedAnomalies examples not learnt because the model flagged them
 * @param modelVersion version of the last published snapshot
 * @param stepsAtPublish optimiser steps when the last snapshot was published
 * @param lossSum sum of batch losses since the last publish (for the mean loss)
 * @param lossSteps number of steps in {@code lossSum}
 * @param batches mini-batches folded in (learnt or skipped): the number of the next batch
 */
record TrainerProgress(long examplesSeen, long skippedAnomalies, long modelVersion, long stepsAtPublish,
                       double lossSum, long lossSteps, long batches) {

    static final TrainerProgress START = new TrainerProgress(0, 0, 0, 0, 0, 0, 0);
    private static final int BYTES = 8 * 7;
    /** The form written before batches were numbered: read as batch 0 onwards. */
    private static final int BYTES_WITHOUT_BATCHES = 8 * 6;

    byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(examplesSeen).putLong(skippedAnomalies).putLong(modelVersion)
                .putLong(stepsAtPublish).putDouble(lossSum).putLong(lossSteps).putLong(batches).array();
    }

    static TrainerProgress fromBytes(byte[] bytes) {
        if (bytes.length != BYTES && bytes.length != BYTES_WITHOUT_BATCHES) {
            throw new IllegalStateException("trainer progress record has " + bytes.length + " bytes, expected " + BYTES);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new TrainerProgress(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getDouble(), b.getLong(),
                b.hasRemaining() ? b.getLong() : 0);
    }
}
