package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Label;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product on a real broker: 2,000 MNIST digits, 100 Fashion-MNIST images and 50 malformed
 * records through the real trainer and scorer (DL4J model, exactly-once).
 */
class EndToEndTest {

    static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", "1500",
            // A window shorter than the warm-up: the calibration reflects the trained model, not its first steps.
            "calibration.window", "500");

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void everyImageScoredOnceEveryBadRecordDeadLetteredOnceAndAlertsAreMostlyFashion(@TempDir Path state)
            throws Exception {
        Datasets.Labelled train = Datasets.mnistTrain();
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        Datasets.Labelled fashion = Datasets.fashion();
        Random random = new Random(7);

        try (var trainer = StreamAeRunner.trainer(kafka, state.resolve("trainer"), SETTINGS);
             var scorer = StreamAeRunner.scorer(kafka, state.resolve("scorer"), SETTINGS);
             var client = new KafkaTestClient(kafka)) {

            // Phase 1: 1,500 digits to learn from, then wait for a warmed-up model at the scorer.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.count(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            Map<String, Label> labelOf = new HashMap<>();
            for (int i = 0; i < 1500; i++) {
                String id = "mnist-" + order.get(i);
                client.send(KafkaTestClient.image(id, train, order.get(i)));
                labelOf.put(id, Label.of(train.labels()[order.get(i)]));
            }
            client.flush();
            waitUntil("the trainer learns all 1,500 digits", Duration.ofSeconds(120),
                    () -> trainer.metrics().examplesTrained() == 1500);
            waitUntil("the scorer accepts a warmed-up model", Duration.ofSeconds(60),
                    () -> scorer.registry().current() != null && scorer.registry().current().examplesSeen() >= 1500);
            long versionAfterWarmUp = scorer.registry().version();

            // Hostile snapshots on the models topic: both rejected, scoring goes on with the current model.
            client.send(Topics.MODELS, "streamae", "garbage".getBytes(StandardCharsets.UTF_8));
            client.send(Topics.MODELS, "streamae", TopologyFixtures.wrongShapeSnapshot());
            client.flush();
            waitUntil("both bad snapshots rejected", Duration.ofSeconds(30),
                    () -> scorer.registry().rejectedSnapshots() == 2);
            assertThat(scorer.registry().version()).isEqualTo(versionAfterWarmUp);

            // Phase 2: 500 held-out digits, 100 Fashion images and 50 malformed records, interleaved.
            List<Runnable> phase2 = new ArrayList<>();
            Set<String> fashionIds = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                int index = i * heldOut.count() / 500;
                String id = "heldout-" + index;
                labelOf.put(id, Label.of(heldOut.labels()[index]));
                phase2.add(() -> client.send(KafkaTestClient.image(id, heldOut, index)));
            }
            for (int i = 0; i < 100; i++) {
                int index = i * 37;
                String id = "fashion-" + index;
                fashionIds.add(id);
                labelOf.put(id, Label.of(fashion.labels()[index]));
                phase2.add(() -> client.send(KafkaTestClient.image(id, fashion, index)));
            }
            List<MalformedRecords.Bad> bad = MalformedRecords.generate(50);
            bad.forEach(b -> phase2.add(() -> client.send(Topics.IMAGES, b.id(), b.value())));
            Collections.shuffle(phase2, random);
            phase2.forEach(Runnable::run);
            client.flush();

            int validImages = 1500 + 500 + 100;
            List<ConsumerRecord<String, byte[]>> scoreRecords =
                    client.readCommitted(Topics.IMAGE_SCORES, validImages, Duration.ofSeconds(120));
            List<ConsumerRecord<String, byte[]>> dead =
                    client.readCommitted(Topics.IMAGES_DLQ, bad.size(), Duration.ofSeconds(60));
            List<ConsumerRecord<String, byte[]>> alertRecords =
                    client.readCommitted(Topics.ANOMALY_ALERTS, 1, Duration.ofSeconds(10));

            // Exactly one score per valid image.
            Map<String, Long> scoresPerId = scoreRecords.stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
            assertThat(scoresPerId.keySet()).isEqualTo(labelOf.keySet());
            assertThat(scoresPerId.values()).allMatch(n -> n == 1);

            // Exactly one dead letter per bad record, each with a reason.
            Map<String, Long> deadPerKey = dead.stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
            assertThat(deadPerKey.keySet()).isEqualTo(bad.stream().map(MalformedRecords.Bad::id).collect(Collectors.toSet()));
            assertThat(deadPerKey.values()).allMatch(n -> n == 1);
            for (ConsumerRecord<String, byte[]> r : dead) {
                var reason = r.headers().lastHeader("__streams.errors.message");
                assertThat(reason).as("reason header on " + r.key()).isNotNull();
                assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
            }
            assertThat(scorer.badRecords().get()).isEqualTo(bad.size());

            // Labels pass through; the model version rose while scoring.
            JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
            List<ScoreRecord> scores = scoreRecords.stream().map(r -> serde.fromBytes(r.value())).toList();
            assertThat(scores).allSatisfy(s -> assertThat(s.label()).isEqualTo(labelOf.get(s.id())));
            assertThat(scores.stream().map(ScoreRecord::modelVersion).collect(Collectors.toSet()))
                    .as("scored before any model, then with the warmed-up one").contains(0L, versionAfterWarmUp);
            waitUntil("the scorer swaps in a model that learnt phase 2", Duration.ofSeconds(60),
                    () -> scorer.registry().version() > versionAfterWarmUp);
            // Each valid image is learnt or, flagged by the calibration, skipped: once.
            waitUntil("the trainer learns or skips every valid image", Duration.ofSeconds(60),
                    () -> trainer.metrics().examplesTrained() + trainer.metrics().skippedAnomalies() == validImages);

            // The project's metrics are reported over JMX beside Kafka Streams' own.
            var jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            var scorerBeans = jmx.queryNames(new javax.management.ObjectName(
                    "kafka.streams:type=streamae-scorer-metrics,*"), null);
            double scoredOverJmx = 0;
            for (var bean : scorerBeans) {
                scoredOverJmx += ((Number) jmx.getAttribute(bean, "images-scored-total")).doubleValue();
            }
            assertThat(scoredOverJmx).isEqualTo(validImages);
            assertThat(jmx.queryNames(new javax.management.ObjectName(
                    "kafka.streams:type=streamae-trainer-metrics,*"), null)).isNotEmpty();

            // No alert before warm-up; alerts are mostly the injected Fashion images.
            List<ScoreRecord> alerts = alertRecords.stream().map(r -> serde.fromBytes(r.value())).toList();
            assertThat(alerts).allSatisfy(a -> assertThat(a.status()).isEqualTo(ScoreRecord.Status.READY));
            assertThat(scores.stream().filter(s -> s.status() != ScoreRecord.Status.READY))
                    .noneMatch(ScoreRecord::anomaly);
            long fashionAlerts = alerts.stream().filter(a -> fashionIds.contains(a.id())).count();
            org.slf4j.LoggerFactory.getLogger(EndToEndTest.class).info(
                    "alerts: {}, of which Fashion: {} (of 100 injected)", alerts.size(), fashionAlerts);
            assertThat(alerts).isNotEmpty();
            assertThat((double) fashionAlerts / alerts.size()).as("alert precision, %d of %d", fashionAlerts, alerts.size())
                    .isGreaterThan(0.5);
            assertThat(fashionAlerts).as("Fashion images caught (1 in 100 would be chance)").isGreaterThanOrEqualTo(40);
        }
    }
}
