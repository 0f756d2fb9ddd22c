package dev.streamae.it;

import dev.streamae.broker.LocalKafka;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code training-metrics} (read_committed) on a background thread and keeps every record.
 * It assigns the partitions itself rather than join a consumer group: a group member re-reads from
 * its last committed offset after a rebalance (e.g. when the broker restarts), which would show
 * records twice.
 */
final class TrainingMetricsWatcher implements AutoCloseable {

    private final List<TrainingMetrics> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    TrainingMetricsWatcher(LocalKafka kafka) {
        Map<String, Object> c = new HashMap<>(kafka.clientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        JsonSerde<TrainingMetrics> serde = JsonSerde.of(TrainingMetrics.class);
        thread = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRAINING_METRICS).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> records.add(serde.fromBytes(r.value())));
                }
            }
        }, "training-metrics-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    List<TrainingMetrics> records() {
        return List.copyOf(records);
    }

    long latestExamplesSeen() {
        return records.isEmpty() ? 0 : records.get(records.size() - 1).examplesSeen();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
