package dev.streamae.it;

import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.Label;
import dev.streamae.streams.JsonSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing test images to, and reading results from, a real broker. */
public final class KafkaTestClient implements AutoCloseable {

    private final Map<String, Object> clientProperties;
    private final KafkaProducer<String, byte[]> producer;
    private final JsonSerde<ImageRecord> images = JsonSerde.of(ImageRecord.class);

    public KafkaTestClient(LocalKafka kafka) {
        this(kafka.clientProperties());
    }

    /** A client of any broker: {@code clientProperties} has bootstrap.servers and what else clients need. */
    public KafkaTestClient(Map<String, Object> clientProperties) {
        this.clientProperties = Map.copyOf(clientProperties);
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10 << 20);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(p);
    }

    /** An MNIST or Fashion image as users send it (8-bit pixels, base64), with its label. */
    public static ImageRecord image(String id, Datasets.Labelled set, int index) {
        return new ImageRecord(id, null, ImageDecoder.encodeU8(set.images().bytes(index)), null, null, null,
                Label.of(set.labels()[index]), null);
    }

    public void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    public void send(ImageRecord image) {
        send(dev.streamae.streams.Topics.IMAGES, image.id(), images.toBytes(image));
    }

    /** Sends {@code image} to one {@code images} partition, whatever its key. */
    void send(int partition, ImageRecord image) {
        producer.send(new ProducerRecord<>(dev.streamae.streams.Topics.IMAGES, partition, image.id(), images.toBytes(image)));
    }

    public void flush() {
        producer.flush();
    }

    /** Reads {@code topic} from the start with read_committed until {@code expected} records arrived or time ran out. */
    List<ConsumerRecord<String, byte[]>> readCommitted(String topic, int expected, Duration timeout) {
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // Anything beyond the expected count would be a duplicate: give it a moment to show up.
            long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Reads {@code topic} (read_committed) and asserts that it holds exactly {@code expected} distinct
     * keys, each exactly once: the "every image scored once" check.
     */
    void assertEachKeyOnce(String topic, int expected, Duration timeout) {
        Map<String, Long> perKey = readCommitted(topic, expected, timeout).stream()
                .collect(java.util.stream.Collectors.groupingBy(ConsumerRecord::key, java.util.stream.Collectors.counting()));
        org.assertj.core.api.Assertions.assertThat(perKey).as("distinct keys on " + topic).hasSize(expected);
        org.assertj.core.api.Assertions.assertThat(java.util.Set.copyOf(perKey.values())).as("records per key on " + topic)
                .containsExactly(1L);
    }

    /**
     * Every committed record of {@code topic}: read (read_committed) from the start up to its last
     * stable offset, so a transaction still open ends the read. To count records, count these:
     * under exactly-once every transaction also leaves a marker, which takes an offset but is no record.
     */
    List<ConsumerRecord<String, byte[]>> committed(String topic) {
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);  // the last stable offsets
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
