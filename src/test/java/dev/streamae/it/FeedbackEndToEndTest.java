package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.FeedbackRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import dev.streamae.streams.Verdict;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' verdicts on a real broker, through the real trainer and scorer at their production
 * defaults (no setting changed: batch 64, warm-up 2,000, a publish every 50 steps or 5 s, the
 * default engine, exactly-once). The trainer learns 3,000 MNIST digits; then 1,000 held-out digits
 * with 60 Fashion-MNIST items among them are scored. An operator answers every alert from
 * {@code anomaly-alerts}, copying the image's id, partition and offset (Fashion: {@code anomaly};
 * a digit: {@code normal}, a false alarm), confirms a few unflagged digits as {@code normal} too,
 * and sends eight kinds of bad verdict.
 *
 * <p>Every valid verdict must be applied exactly once: the last {@code training-metrics} record
 * counts exactly the verdicts sent ({@code feedbackNormal}, {@code feedbackAnomaly}, their
 * {@code precision}), also after later publishes, and every stream image and verdict "normal" is
 * learnt or skipped once ({@code examplesSeen + skippedAnomalies}). Every bad verdict gives exactly
 * one dead letter, keyed as it was sent, with its reason, and is counted.
 */
class FeedbackEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger(FeedbackEndToEndTest.class);
    private static final int TRAIN = 3_000;
    private static final int HELD_OUT = 1_000;
    private static final int FASHION = 60;
    /** Unflagged digits also confirmed normal: there are few false alarms at the default rate. */
    private static final int CONFIRMED_DIGITS = 10;
    /** Digits sent after the verdicts, so that the trainer publishes again after applying them all. */
    private static final int AFTER = 640;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String MODEL = StreamAeSettings.defaults().modelName();

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    /** A verdict the trainer must refuse, the reason it must give, and whether the sensor counts it (the serde refuses the rest). */
    private record Bad(String key, String value, String reason, boolean processed) {
    }

    @Test
    void everyVerdictIsAppliedOnceAndEveryBadOneDeadLetteredOnceWithItsReason(@TempDir Path state) throws Exception {
        Datasets.Labelled train = Datasets.mnistTrain();
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        Datasets.Labelled fashion = Datasets.fashion();
        JsonSerde<ScoreRecord> scoreSerde = JsonSerde.of(ScoreRecord.class);
        JsonSerde<FeedbackRecord> feedbackSerde = JsonSerde.of(FeedbackRecord.class);

        try (var trainer = StreamAeRunner.trainer(kafka, state.resolve("trainer"), Map.of());
             var scorer = StreamAeRunner.scorer(kafka, state.resolve("scorer"), Map.of());
             var client = new KafkaTestClient(kafka);
             var published = new TrainingMetricsWatcher(kafka)) {

            for (int i = 0; i < TRAIN; i++) {
                client.send(KafkaTestClient.image("mnist-" + i, train, i));
            }
            client.flush();
            waitUntil("the scorer holds a warmed-up, calibrated model", TIMEOUT, () -> scorer.registry().current() != null
                    && scorer.registry().current().alerting() && scorer.registry().current().examplesSeen() >= 2_000);

            List<Runnable> mixed = new ArrayList<>();
            for (int i = 0; i < HELD_OUT; i++) {
                int index = i;
                mixed.add(() -> client.send(KafkaTestClient.image("heldout-" + index, heldOut, index)));
            }
            for (int i = 0; i < FASHION; i++) {
                int index = i * 31;
                mixed.add(() -> client.send(KafkaTestClient.image("fashion-" + index, fashion, index)));
            }
            Collections.shuffle(mixed, new Random(11));
            mixed.forEach(Runnable::run);
            client.flush();
            int streamImages = TRAIN + HELD_OUT + FASHION;
            List<ScoreRecord> scores = client.readCommitted(Topics.IMAGE_SCORES, streamImages, TIMEOUT).stream()
                    .map(r -> scoreSerde.fromBytes(r.value())).toList();
            assertThat(scores).hasSize(streamImages);
            List<ScoreRecord> alerts = client.committed(Topics.ANOMALY_ALERTS).stream()
                    .map(r -> scoreSerde.fromBytes(r.value())).toList();
            assertThat(alerts).as("alerts to answer").isNotEmpty();

            // The operator's verdicts, built from the alerts and a few unflagged digits' scores.
            Map<String, FeedbackRecord> verdicts = new LinkedHashMap<>();
            for (ScoreRecord alert : alerts) {
                Verdict v = alert.id().startsWith("fashion-") ? Verdict.ANOMALY : Verdict.NORMAL;
                verdicts.put(alert.id(), new FeedbackRecord(alert.id(), v, alert.partition(), alert.offset()));
            }
            scores.stream().filter(s -> s.id().startsWith("heldout-") && s.status() == ScoreRecord.Status.READY
                            && !s.anomaly()).limit(CONFIRMED_DIGITS)
                    .forEach(s -> verdicts.put(s.id(), new FeedbackRecord(s.id(), Verdict.NORMAL, s.partition(), s.offset())));
            long normal = verdicts.values().stream().filter(f -> f.verdict() == Verdict.NORMAL).count();
            long anomaly = verdicts.size() - normal;
            LOG.info("{} alerts ({} Fashion); verdicts: {} normal, {} anomaly", alerts.size(),
                    alerts.stream().filter(a -> a.id().startsWith("fashion-")).count(), normal, anomaly);
            assertThat(anomaly).as("confirmed anomalies").isPositive();

            FeedbackRecord first = verdicts.values().iterator().next();
            ScoreRecord someScore = scores.get(0);
            List<Bad> bad = List.of(
                    new Bad("bad-json", "{\"id\":\"bad-json\",", "not a valid FeedbackRecord JSON record", false),
                    new Bad("bad-verdict", "{\"id\":\"bad-verdict\",\"verdict\":\"perhaps\",\"partition\":0,\"offset\":0}",
                            "verdict must be \"normal\" or \"anomaly\", got perhaps", false),
                    new Bad("no-offset", "{\"id\":\"no-offset\",\"verdict\":\"normal\",\"partition\":0}",
                            "missing offset", true),
                    new Bad("nobody", json(feedbackSerde, new FeedbackRecord("nobody", Verdict.NORMAL, someScore.partition(),
                            someScore.offset())), "unknown id \"nobody\": images-" + someScore.partition() + " offset "
                            + someScore.offset() + " holds image \"" + someScore.id() + "\"", true),
                    new Bad("past-end", json(feedbackSerde, new FeedbackRecord("past-end", Verdict.ANOMALY, 0, 10_000_000L)),
                            "no image at images-0 offset 10000000: the partition ends at offset", true),
                    new Bad("partition-9", json(feedbackSerde, new FeedbackRecord("partition-9", Verdict.ANOMALY, 9, 0L)),
                            "images has 6 partitions: there is no partition 9", true),
                    new Bad("not-the-id", json(feedbackSerde, new FeedbackRecord(someScore.id(), Verdict.NORMAL,
                            someScore.partition(), someScore.offset())), "the key \"not-the-id\" is not the id", true),
                    // Sent right after the first verdict, on the same (only) partition: refused as its repeat.
                    new Bad(first.id(), json(feedbackSerde, first), "image \"" + first.id()
                            + "\" already had a verdict applied (" + first.verdict().id(), true));

            List<Runnable> feedback = new ArrayList<>();
            verdicts.values().forEach(f -> feedback.add(() -> client.send(Topics.FEEDBACK, f.id(), bytes(json(feedbackSerde, f)))));
            Random random = new Random(5);
            // Among the valid ones, after the first (whose repeat is among them).
            bad.forEach(b -> feedback.add(1 + random.nextInt(feedback.size()),
                    () -> client.send(Topics.FEEDBACK, b.key(), bytes(b.value()))));
            feedback.forEach(Runnable::run);
            client.flush();
            // More stream images: publishes after every verdict is applied (one confirming only anomalies steps nothing).
            for (int i = 0; i < AFTER; i++) {
                client.send(KafkaTestClient.image("after-" + i, train, TRAIN + i));
            }
            client.flush();
            long learntOrSkipped = streamImages + AFTER + normal;
            waitUntil("the trainer publishes after learning or skipping every image and verdict normal", TIMEOUT,
                    () -> published.latestExamplesDone(MODEL) >= learntOrSkipped);

            TrainingMetrics last = last(published);
            assertThat(last.examplesSeen() + last.skippedAnomalies()).as("stream images and verdicts normal, each "
                    + "learnt or skipped once").isEqualTo(learntOrSkipped);
            assertThat(last.feedbackNormal()).as("verdicts normal applied").isEqualTo(normal);
            assertThat(last.feedbackAnomaly()).as("verdicts anomaly applied").isEqualTo(anomaly);
            assertThat(last.precision()).isCloseTo((double) anomaly / verdicts.size(), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(trainer.metrics().verdictsNormal()).isEqualTo(normal);
            assertThat(trainer.metrics().verdictsAnomaly()).isEqualTo(anomaly);
            assertThat(published.records(last.model())).as("no record ever counted more verdicts").allSatisfy(m -> {
                assertThat(m.feedbackNormal()).isLessThanOrEqualTo(normal);
                assertThat(m.feedbackAnomaly()).isLessThanOrEqualTo(anomaly);
            });

            List<ConsumerRecord<String, byte[]>> dead = client.readCommitted(Topics.IMAGES_DLQ, bad.size(), TIMEOUT);
            Map<String, List<ConsumerRecord<String, byte[]>>> deadByKey = dead.stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key));
            assertThat(deadByKey.keySet()).as("one dead letter per bad verdict, nothing else")
                    .containsExactlyInAnyOrderElementsOf(bad.stream().map(Bad::key).toList());
            for (Bad b : bad) {
                assertThat(deadByKey.get(b.key())).as(b.key()).singleElement().satisfies(d -> {
                    assertThat(header(d, "__streams.errors.message")).as(b.key()).contains(b.reason());
                    assertThat(header(d, "__streams.errors.topic")).isEqualTo(Topics.FEEDBACK);
                    assertThat(new String(d.value(), StandardCharsets.UTF_8)).isEqualTo(b.value());
                });
            }
            assertThat(trainer.badRecords().get()).as("bad records the trainer counted").isEqualTo(bad.size());
            assertThat(scorer.badRecords().get()).isZero();
            assertThat(jmxTotal("streamae-trainer-metrics", "feedback-rejected-total"))
                    .isEqualTo(bad.stream().filter(Bad::processed).count());
            assertThat(jmxTotal("streamae-trainer-metrics", "feedback-verdicts-total")).isEqualTo(verdicts.size());
        }
    }

    private static TrainingMetrics last(TrainingMetricsWatcher watcher) {
        List<TrainingMetrics> records = watcher.records(MODEL);
        return records.get(records.size() - 1);
    }

    private static String json(JsonSerde<FeedbackRecord> serde, FeedbackRecord f) {
        return new String(serde.toBytes(f), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The sum of one attribute over this JVM's StreamAE task metrics of a group (JMX, as operators read them). */
    private static double jmxTotal(String group, String attribute) throws Exception {
        var jmx = ManagementFactory.getPlatformMBeanServer();
        double total = 0;
        for (ObjectName bean : jmx.queryNames(new ObjectName("kafka.streams:type=" + group + ",*"), null)) {
            try {
                total += ((Number) jmx.getAttribute(bean, attribute)).doubleValue();
            } catch (javax.management.AttributeNotFoundException e) {
                // a task without that sensor (the other sub-topology's)
            }
        }
        return total;
    }
}
