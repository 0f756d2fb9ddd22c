package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a scoring task's unscored images again from {@code images} after its task was restored
 * (a crash, a rebalance, a restart): the records from the offset the task logged for its batch
 * up to the offset its last transaction committed. Those records were all processed before:
 * the valid ones were in the batch, the others went to the dead-letter queue then, so the same
 * checks ({@link JsonSerde}, {@link ImageValidator#validate}) skip them now without a second
 * dead letter.
 *
 * <p>Why read them again rather than log them: logging every buffered image (and its delete)
 * to a changelog cost two records per image through the producer and the broker, more than
 * scoring it; the images are in {@code images} already. The committed offset is read with a
 * consumer of the scorer's group id that never joins the group, {@code read_committed}, so it
 * waits for a dead instance's open transaction to be aborted before it answers.
 */
final class BufferReplay {

    private static final Logger LOG = LoggerFactory.getLogger(BufferReplay.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** What was read: the valid images in offset order, the records skipped, the offset read up to. */
    record Replayed(List<SourcedImage> images, long skipped, long upTo) {
    }

    private BufferReplay() {
    }

    /**
     * @param appConfigs the scorer's configuration ({@code ProcessorContext#appConfigs})
     * @param partition the task's partition of {@code images}
     * @param from the offset of the first unscored image the task logged
     * @param timeout how long the committed offset and the records may take to arrive
     */
    static Replayed read(Map<String, Object> appConfigs, String applicationId, TopicPartition partition, long from,
                         ImageDecoder decoder, ModelRouting routing, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = ImagesConsumer.open(appConfigs,
                applicationId + "-buffer-replay-" + partition.partition(), applicationId)) {
            OffsetAndMetadata committed = consumer.committed(Set.of(partition), timeout).get(partition);
            if (committed == null) {
                throw new IllegalStateException("the scorer's buffer of " + partition + " starts at offset " + from
                        + " but the group " + applicationId + " has no committed offset there");
            }
            long upTo = committed.offset();
            consumer.assign(List.of(partition));
            long first = Math.max(from, consumer.beginningOffsets(List.of(partition), timeout).get(partition));
            long lost = first - from;
            if (lost > 0) {
                LOG.error("{} records of {} from offset {} were deleted (retention) before they could be scored "
                        + "again; scoring the rest", lost, partition, from);
            }
            List<SourcedImage> images = new ArrayList<>();
            long skipped = 0;
            consumer.seek(partition, first);
            while (consumer.position(partition) < upTo) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + partition + " offsets " + first + " to " + upTo + " took over "
                            + timeout.toSeconds() + " s (at offset " + consumer.position(partition) + ")");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= upTo) {
                        break;
                    }
                    try {
                        images.add(new SourcedImage(ImageValidator.validate(decoder, routing, record.key(), record.value(),
                                record.timestamp()), record.offset()));
                    } catch (RuntimeException e) {
                        skipped++;
                    }
                }
            }
            return new Replayed(images, skipped, upTo);
        }
    }
}
