package dev.streamae.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;

/**
 * {@link ImageLookup} for topology tests: partition 0 of {@code images} as the test piped it
 * through {@link #pipe}, offsets counted as the driver counts them, refusing what the real lookup
 * refuses (no such partition, before the first offset retention left, past the end).
 */
final class FakeImageLookup implements ImageLookup {

    private final List<Stored> log = new ArrayList<>();
    /** The first offset retention left. */
    private long firstOffset;
    private int opened;

    /** Pipes an image record to {@code images} and keeps it at the offset the driver gives it. */
    void pipe(TestInputTopic<String, byte[]> images, String key, byte[] value, long timestamp) {
        images.pipeInput(key, value, timestamp);
        log.add(new Stored(key, value, timestamp));
    }

    /** The offset the next piped image gets. */
    long nextOffset() {
        return log.size();
    }

    /** As if retention had deleted the records before {@code offset}. */
    void deleteBefore(long offset) {
        firstOffset = offset;
    }

    /** How often a topology opened it. */
    int opened() {
        return opened;
    }

    ImageLookup.Opener opener() {
        return (configs, clientId) -> {
            opened++;
            return this;
        };
    }

    @Override
    public Stored read(int partition, long offset) {
        if (partition != 0) {
            throw new InvalidFeedbackException("images has 1 partitions: there is no partition " + partition);
        }
        if (offset < firstOffset) {
            throw new InvalidFeedbackException("no image at images-0 offset " + offset
                    + ": the partition now starts at offset " + firstOffset + " (the image was deleted by retention)");
        }
        if (offset >= log.size()) {
            throw new InvalidFeedbackException("no image at images-0 offset " + offset + ": the partition ends at offset "
                    + log.size());
        }
        return log.get((int) offset);
    }

    @Override
    public Map<Integer, Long> firstOffsets() {
        return Map.of(0, firstOffset);
    }

    @Override
    public void close() {
    }
}
