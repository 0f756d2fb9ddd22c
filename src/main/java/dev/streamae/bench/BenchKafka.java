package dev.streamae.bench;

import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Label;
import dev.streamae.streams.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The bench's own Kafka traffic: the image backlog, the scorer's model, where an app starts reading, clean-up. */
final class BenchKafka {

    private BenchKafka() {
    }

    /**
     * Images produced before a run, read by every throughput run from {@code start}.
     *
     * @param start offset of the first backlog record in each {@code images} partition
     * @param count images in the backlog
     * @param idPrefix every backlog image id starts with it
     */
    record Backlog(Map<Integer, Long> start, int count, String idPrefix) {

        /** {@code partition=offset,...}, for a child JVM's command line. */
        String encodeStart() {
            return new TreeMap<>(start).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));
        }

        static Map<Integer, Long> decodeStart(String text) {
            Map<Integer, Long> m = new HashMap<>();
            for (String pair : text.split(",")) {
                String[] kv = pair.split("=");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("bad backlog offsets '" + text + "': expected partition=offset,...");
                }
                m.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
            }
            return m;
        }
    }

    /** Producer settings of the bench's clients: Kafka's defaults, snapshots fit. */
    static Map<String, Object> producerProps(Map<String, Object> clientProps) {
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10 << 20);
        return p;
    }

    /**
     * Produces {@code count} MNIST training digits (cycled) as {@code u8} JSON image records, ids
     * {@code idPrefix + i}, and returns where they start.
     */
    static Backlog produceBacklog(Admin admin, Map<String, Object> clientProps, int count, String idPrefix)
            throws ExecutionException, InterruptedException {
        return produceBacklog(admin, clientProps, count, idPrefix, i -> null);
    }

    /** The same with image {@code i} naming model {@code modelOf.apply(i)} (null: none, the default model). */
    static Backlog produceBacklog(Admin admin, Map<String, Object> clientProps, int count, String idPrefix,
                                  IntFunction<String> modelOf) throws ExecutionException, InterruptedException {
        Map<Integer, Long> start = endOffsets(admin, Topics.IMAGES);
        Datasets.Labelled digits = Datasets.mnistTrain();
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(clientProps),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                int index = i % digits.count();
                String id = idPrefix + i;
                ImageRecord image = new ImageRecord(id, null, ImageDecoder.encodeU8(digits.images().bytes(index)), null,
                        null, null, Label.of(digits.labels()[index]), null, modelOf.apply(i));
                producer.send(new ProducerRecord<>(Topics.IMAGES, id, serde.toBytes(image)));
            }
            producer.flush();
        }
        return new Backlog(start, count, idPrefix);
    }

    /** Publishes {@code snapshot} (unsigned) to {@code models}, keyed by its model name. */
    static void publishModel(Map<String, Object> clientProps, Snapshot snapshot) {
        publishModel(clientProps, snapshot, List.of(snapshot.modelName()));
    }

    /** Publishes {@code snapshot} (unsigned) as the model of each of {@code names}. */
    static void publishModel(Map<String, Object> clientProps, Snapshot snapshot, List<String> names) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(clientProps),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String name : names) {
                Snapshot named = new Snapshot(name, snapshot.modelVersion(), snapshot.architecture(), snapshot.metric(),
                        snapshot.examplesSeen(), snapshot.steps(), snapshot.examplesToWarmUp(), snapshot.calibration(),
                        snapshot.createdAt(), snapshot.parameters(), snapshot.optimiserState());
                producer.send(new ProducerRecord<>(Topics.MODELS, name, SnapshotCodec.unsigned().encode(named)));
            }
            producer.flush();
        }
    }

    static Map<Integer, Long> endOffsets(Admin admin, String topic) throws ExecutionException, InterruptedException {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<Integer, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    /**
     * Makes a new consumer group (a Kafka Streams application id) start reading {@code images}
     * at {@code start}, instead of at the earliest offset: every run reads exactly its own images.
     */
    static void startGroupAt(Admin admin, String groupId, Map<Integer, Long> start)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        start.forEach((p, o) -> offsets.put(new TopicPartition(Topics.IMAGES, p), new OffsetAndMetadata(o)));
        admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
    }

    /** Deletes the internal topics and the consumer groups of the bench's applications (best effort). */
    static void deleteApps(Admin admin, List<String> applicationIds, Duration timeout) {
        try {
            List<String> topics = admin.listTopics().names().get().stream()
                    .filter(t -> applicationIds.stream().anyMatch(id -> t.startsWith(id + "-"))).toList();
            if (!topics.isEmpty()) {
                admin.deleteTopics(topics).all().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            admin.deleteConsumerGroups(applicationIds).all().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // left-over internal topics of a benchmark are harmless
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
