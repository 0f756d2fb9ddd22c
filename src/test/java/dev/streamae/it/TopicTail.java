package dev.streamae.it;

import dev.streamae.broker.LocalKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a topic from its start (read_committed) on a background thread and hands every record
 * to a callback; waits for the topic to exist (an application's internal topics appear once it
 * runs). It assigns the partitions itself rather than join a consumer group: a group member
 * re-reads from its last committed offset after a rebalance (e.g. when the broker restarts),
 * which would show records twice.
 */
final class TopicTail implements AutoCloseable {

    private final String topic;
    private final Thread thread;
    private volatile boolean running = true;
    /** What stopped the thread early, reported by {@link #close}. */
    private volatile RuntimeException failure;

    TopicTail(LocalKafka kafka, String topic, Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        this.topic = topic;
        Map<String, Object> c = new HashMap<>(kafka.clientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                List<TopicPartition> partitions = List.of();
                while (running && partitions.isEmpty()) {
                    try {
                        partitions = consumer.partitionsFor(topic, Duration.ofSeconds(1)).stream()
                                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    } catch (TimeoutException e) {
                        // no metadata within the second (a busy or restarting broker): ask again
                    }
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        if (failure != null) {
            throw new IllegalStateException("following " + topic + " stopped", failure);
        }
    }
}
