package dev.streamae.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ImageLookup} on {@code images} itself: a read_committed consumer of its own (see
 * {@link ImagesConsumer}: the trainer's client settings, security included), with no group, that
 * assigns the partition, seeks and polls. Opened on the first verdict, since most trainer tasks
 * never see one, and kept for the task's life.
 *
 * <p>It checks the offset against the partition's first and last committed offsets before it
 * seeks, so that an image deleted by retention or an offset past the end is refused with that
 * reason at once rather than after a timeout. Each read blocks the stream thread for at most
 * {@link #TIMEOUT} (a few milliseconds normally); verdicts come from people, a few a minute, so
 * that costs the images nothing noticeable. A read that times out (the broker unreachable) is
 * refused too, saying so: the verdict was not applied and may be sent again.
 */
final class KafkaImageLookup implements ImageLookup {

    /**
     * Longest a read may block the stream thread: well under the transaction timeout of Kafka
     * Streams' exactly-once producer (10 s), since the read happens inside a transaction, and a
     * transaction open longer than that is aborted by the broker and its thread fenced.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Logger LOG = LoggerFactory.getLogger(KafkaImageLookup.class);

    private final KafkaConsumer<String, byte[]> consumer;

    KafkaImageLookup(Map<String, Object> appConfigs, String clientId) {
        this.consumer = ImagesConsumer.open(appConfigs, clientId, null);
    }

    @Override
    public Stored read(int partition, long offset) {
        long started = System.nanoTime();
        try {
            return readWithin(partition, offset, started + TIMEOUT.toNanos());
        } finally {
            LOG.debug("read {}-{} offset {} in {} ms", Topics.IMAGES, partition, offset,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private Stored readWithin(int partition, long offset, long deadline) {
        int partitions = consumer.partitionsFor(Topics.IMAGES, left(deadline)).size();
        if (partition >= partitions) {
            throw new InvalidFeedbackException(Topics.IMAGES + " has " + partitions + " partitions: there is no partition "
                    + partition);
        }
        TopicPartition tp = new TopicPartition(Topics.IMAGES, partition);
        String where = tp + " offset " + offset;
        consumer.assign(List.of(tp));
        long first = consumer.beginningOffsets(List.of(tp), left(deadline)).get(tp);
        long end = consumer.endOffsets(List.of(tp), left(deadline)).get(tp);  // the last stable offset: read_committed
        if (offset < first) {
            throw new InvalidFeedbackException("no image at " + where + ": the partition now starts at offset " + first
                    + " (the image was deleted by retention)");
        }
        if (offset >= end) {
            throw new InvalidFeedbackException("no image at " + where + ": the partition ends at offset " + end);
        }
        consumer.seek(tp, offset);
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> records;
            try {
                records = consumer.poll(POLL).records(tp);
            } catch (OffsetOutOfRangeException e) {
                throw new InvalidFeedbackException("no image at " + where + ": deleted by retention while it was read", e);
            }
            if (!records.isEmpty()) {
                ConsumerRecord<String, byte[]> r = records.get(0);
                if (r.offset() != offset) {
                    throw new InvalidFeedbackException("no image at " + where + ": that offset holds no committed record "
                            + "(a transaction marker or an aborted write); the next record is at " + r.offset());
                }
                return new Stored(r.key(), r.value(), r.timestamp());
            }
        }
        throw new TimeoutException("could not read " + where + " within " + TIMEOUT.toSeconds()
                + " s; the verdict was not applied, send it again");
    }

    @Override
    public Map<Integer, Long> firstOffsets() {
        List<TopicPartition> all = partitions().stream().map(p -> new TopicPartition(Topics.IMAGES, p.partition())).toList();
        Map<Integer, Long> out = new HashMap<>();
        consumer.beginningOffsets(all, TIMEOUT).forEach((tp, first) -> out.put(tp.partition(), first));
        return out;
    }

    private List<PartitionInfo> partitions() {
        return consumer.partitionsFor(Topics.IMAGES, TIMEOUT);
    }

    /** What is left of the time a read may take; its calls to the broker share it. */
    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
