package dev.streamae.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic once, as the commands that inspect StreamAE's state need it: from the
 * beginning to the end offsets taken when it starts, with {@code read_committed} (so the end is the
 * last stable offset, and an aborted or open transaction is never seen), by manual assignment (no
 * consumer group, nothing committed). Records come in offset order per partition, so a reader that
 * keeps the last value per key, and drops a key on a tombstone, sees a compacted topic as its
 * consumers do.
 */
final class TopicReader {

    /** Snapshots are up to 8 MB ({@code max.message.bytes} of the snapshot topics). */
    private static final int MAX_FETCH_BYTES = 10 << 20;

    private TopicReader() {
    }

    /**
     * Hands every committed record of {@code topic} to {@code each} (a null value is a tombstone).
     *
     * @throws IllegalStateException when the topic does not exist or the end is not reached in time
     */
    static void readToEnd(Map<String, Object> clientConfig, String topic, Duration timeout,
                          BiConsumer<String, byte[]> each) {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_FETCH_BYTES);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_FETCH_BYTES);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (streamae topics creates it)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
            for (TopicPartition p : partitions) {
                while (consumer.position(p, remaining(deadline)) < end.get(p)) {
                    if (System.nanoTime() > deadline) {
                        throw timedOut(topic, timeout, consumer.position(p) + " of " + end.get(p) + " in partition "
                                + p.partition());
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        each.accept(r.key(), r.value());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw timedOut(topic, timeout, "no answer from Kafka (" + e.getMessage() + ")");
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static IllegalStateException timedOut(String topic, Duration timeout, String where) {
        return new IllegalStateException("timed out after " + timeout.toSeconds() + " s reading topic " + topic + " to its end: "
                + where + "; is Kafka reachable at bootstrap.servers? (--timeout gives it longer)");
    }
}
