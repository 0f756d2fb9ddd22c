package dev.streamae.streams;

import java.util.Map;

/**
 * Reads one image record of {@link Topics#IMAGES} by its coordinates: how the trainer finds the
 * image an operator's verdict is about, so that the operator does not send the image again.
 * {@link KafkaImageLookup} reads the topic; tests give a fake. Used by one stream thread only.
 */
interface ImageLookup extends AutoCloseable {

    /** An image record as stored: its key, its value (ImageRecord JSON bytes) and its timestamp. */
    record Stored(String key, byte[] value, long timestamp) {
    }

    /** Opens a lookup from the trainer's configuration ({@code ProcessorContext#appConfigs}). */
    @FunctionalInterface
    interface Opener {
        ImageLookup open(Map<String, Object> appConfigs, String clientId);
    }

    /**
     * The committed record at {@code offset} of {@code partition}.
     *
     * @throws InvalidFeedbackException when there is none, saying why (no such partition, deleted by
     *     retention, past the end, a transaction marker or an aborted record)
     */
    Stored read(int partition, long offset);

    /**
     * Each partition's first offset still in the log: records before it are gone (retention), and
     * {@link #read} refuses them.
     */
    Map<Integer, Long> firstOffsets();

    @Override
    void close();
}
