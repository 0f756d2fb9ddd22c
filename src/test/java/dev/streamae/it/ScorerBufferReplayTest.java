package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer logs only where each open batch starts and reads the batch's images again from
 * {@code images} after a restore. Here a scorer whose batches never close (a slot of ten minutes,
 * batches of 10,000) consumes and commits valid images mixed with bad records and an aborted
 * transaction's images, then stops; a second scorer on the same state reads the open batches
 * again: every valid image is scored exactly once, with its own partition and offset, the bad
 * records stay in the dead-letter queue once each, and the aborted images are never scored.
 */
class ScorerBufferReplayTest {

    private static final int IMAGES = 300;
    private static final int BAD = 30;
    private static final int ABORTED = 20;

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void aRestartedScorerScoresTheOpenBatchesOnceFromTheImagesTopic(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        Datasets.Labelled train = Datasets.mnistTrain();
        // The stopped instance does not leave the group: a short session lets its successor in sooner.
        Map<String, String> stuck = Map.of("num.stream.threads", "1", "score.max.delay.ms", "600000",
                "score.batch.size", "10000", "session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");
        try (var client = new KafkaTestClient(kafka)) {
            try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("state"), stuck)) {
                for (int i = 0; i < IMAGES; i++) {
                    client.send(KafkaTestClient.image("img-" + i, train, i));
                    if (i % 10 == 5) {
                        client.send(Topics.IMAGES, "bad-" + i, "{\"id\":\"bad\",\"u8\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8));
                    }
                    if (i == IMAGES / 2) {
                        sendAborted(kafka, train);
                    }
                }
                client.flush();
                waitUntil("the scorer committed offsets past every image", Duration.ofSeconds(60),
                        () -> allCommitted(kafka));
                assertThat(scorer.metrics().imagesScored()).as("batches still open").isZero();
            }
            assertThat(client.readCommitted(Topics.IMAGE_SCORES, 1, Duration.ofSeconds(1))).isEmpty();

            try (var restarted = StreamAeRunner.scorer(kafka, dir.resolve("state"), Map.of("num.stream.threads", "1"))) {
                client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(60));
                assertThat(restarted.metrics().imagesScored()).isEqualTo(IMAGES);
            }
            assertThat(client.readCommitted(Topics.IMAGES_DLQ, BAD, Duration.ofSeconds(30)))
                    .as("each bad record in the dead-letter queue once, not again on the replay").hasSize(BAD);
            // Each score, all of them from images read again, points at its own image (what a verdict copies).
            Map<String, String> where = new HashMap<>();
            client.committed(Topics.IMAGES).forEach(r -> where.put(r.key(), r.partition() + "@" + r.offset()));
            var scores = dev.streamae.streams.JsonSerde.of(dev.streamae.streams.ScoreRecord.class);
            assertThat(client.committed(Topics.IMAGE_SCORES)).hasSize(IMAGES).allSatisfy(r -> {
                var score = scores.fromBytes(r.value());
                assertThat(score.partition() + "@" + score.offset()).as(score.id()).isEqualTo(where.get(score.id()));
            });
        }
    }

    private static void sendAborted(LocalKafka kafka, Datasets.Labelled train) {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aborting-producer");
        var serde = dev.streamae.streams.JsonSerde.of(dev.streamae.streams.ImageRecord.class);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < ABORTED; i++) {
                var image = KafkaTestClient.image("aborted-" + i, train, i);
                producer.send(new ProducerRecord<>(Topics.IMAGES, image.id(), serde.toBytes(image)));
            }
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static boolean allCommitted(LocalKafka kafka) {
        try {
            return committedOffsets(kafka) == endOffsets(kafka);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long committedOffsets(LocalKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin
                    .listConsumerGroupOffsets(ScorerTopology.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.IMAGES))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private static long endOffsets(LocalKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < 6; p++) {
                request.put(new TopicPartition(Topics.IMAGES, p), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
