package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' verdicts are applied exactly once across hard kills of the trainer. The trainer runs
 * in its own JVM at the production settings and learns a stream of digits with Fashion-MNIST
 * anomalies; the scorer (in this JVM) raises alerts; the test answers every alert with the true
 * verdict (copying the alert's partition and offset, as an operator's tool would), in
 * {@value #KILLS} bursts, and kills the trainer with SIGKILL at a seeded random moment after each.
 * Each burst also repeats a few verdicts of the one before (already applied: each must become
 * exactly one dead-letter record) and sends a verdict for an id that is not at its offset.
 *
 * <p>In the end the trainer's counts must be exact: {@code feedbackNormal} and
 * {@code feedbackAnomaly} equal the distinct verdicts sent, and every "normal" was learnt once
 * ({@code examplesSeen + skippedAnomalies} is the stream plus the "normal" verdicts), the same
 * still after a further publish; every rejected verdict is one dead-letter record. In the
 * {@code reliability} profile.
 */
@Tag("reliability")
class FeedbackCrashRecoveryTest {

    private static final int IMAGES = 6_000;
    private static final double ANOMALY_RATE = 0.05;
    private static final int KILLS = 3;
    /** Verdicts of the previous burst sent again with each burst after the first. */
    private static final int REPEATS = 4;
    private static final long SEED = Long.getLong("streamae.crash.seed", 11L);
    private static final String MODEL = StreamAeSettings.defaults().modelName();
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackCrashRecoveryTest.class);
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void everyVerdictIsAppliedExactlyOnceAcrossHardKills(@TempDir Path dir) throws Exception {
        Map<String, String> settings = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");
        Path config = StreamAeRunner.configFile(kafka, dir.resolve("trainer-state"), settings,
                dir.resolve("trainer.properties"));
        Path log = dir.resolve("trainer.log");
        String[] trainerArgs = {"trainer", "--config", config.toString(), "--status-interval", "0"};
        Datasets.Labelled digits = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        Random random = new Random(SEED);
        JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
        JsonSerde<FeedbackRecord> verdicts = JsonSerde.of(FeedbackRecord.class);

        try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka)) {
            ChildProcess trainer = ChildProcess.streamae(log, trainerArgs);
            for (int i = 0; i < IMAGES; i++) {
                boolean anomaly = random.nextDouble() < ANOMALY_RATE;
                client.send(anomaly ? KafkaTestClient.image("anomaly-" + i, fashion, i % fashion.count())
                        : KafkaTestClient.image("digit-" + i, digits, i % digits.count()));
            }
            client.flush();
            waitUntil("the trainer learns or skips every image (log: " + log + ")", Duration.ofSeconds(180),
                    () -> watcher.latestExamplesDone(MODEL) == IMAGES);
            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(60));
            List<ScoreRecord> alerts = client.committed(Topics.ANOMALY_ALERTS).stream()
                    .map(r -> scores.fromBytes(r.value())).toList();
            LOG.info("seed {}: {} alerts, {} of them on injected anomalies", SEED, alerts.size(),
                    alerts.stream().filter(a -> a.id().startsWith("anomaly-")).count());
            assertThat(alerts).as("alerts to give verdicts on").hasSizeGreaterThan(60);

            // Every alert answered with the truth, in bursts; each burst repeats verdicts of the one before.
            List<FeedbackRecord> answers = alerts.stream().map(a -> new FeedbackRecord(a.id(),
                    a.id().startsWith("anomaly-") ? Verdict.ANOMALY : Verdict.NORMAL, a.partition(), a.offset())).toList();
            List<FeedbackRecord> rejected = new ArrayList<>();
            int perBurst = (answers.size() + KILLS - 1) / KILLS;
            for (int k = 0; k < KILLS; k++) {
                List<FeedbackRecord> burst = new ArrayList<>(answers.subList(k * perBurst,
                        Math.min(answers.size(), (k + 1) * perBurst)));
                if (k > 0) {
                    List<FeedbackRecord> repeated = answers.subList((k - 1) * perBurst, (k - 1) * perBurst + REPEATS);
                    burst.addAll(random.nextInt(burst.size()), repeated);
                    rejected.addAll(repeated);
                }
                FeedbackRecord unknown = new FeedbackRecord("no-such-image-" + k, Verdict.NORMAL,
                        answers.get(0).partition(), answers.get(0).offset());
                burst.add(random.nextInt(burst.size()), unknown);
                rejected.add(unknown);
                for (FeedbackRecord f : burst) {
                    client.send(Topics.FEEDBACK, f.id(), verdicts.toBytes(f));
                    if (random.nextInt(8) == 0) {
                        client.flush();
                        pause(random.nextInt(50));
                    }
                }
                client.flush();
                pause(random.nextInt(1_500));  // reading, fetching, learning or committing the burst
                trainer.kill();
                LOG.info("seed {}: killed the trainer after burst {} of {} verdicts", SEED, k + 1, burst.size());
                trainer = ChildProcess.streamae(log, trainerArgs);
            }
            long normal = answers.stream().filter(f -> f.verdict() == Verdict.NORMAL).count();
            long anomalous = answers.size() - normal;
            try (ChildProcess last = trainer) {
                waitUntil("the trainer reports every verdict (log: " + log + ")", Duration.ofSeconds(180), () -> {
                    TrainingMetrics m = latest(watcher);
                    return m != null && m.feedbackNormal() + m.feedbackAnomaly() >= answers.size();
                });
                long version = latest(watcher).modelVersion();
                // One more publish: nothing may be applied twice on the way to it either.
                client.send(KafkaTestClient.image("digit-last", digits, 0));
                client.flush();
                waitUntil("the trainer publishes once more", Duration.ofSeconds(60),
                        () -> latest(watcher).modelVersion() > version);
            }
            TrainingMetrics end = latest(watcher);
            LOG.info("seed {}: {} normal and {} anomaly verdicts sent; the trainer applied {} and {}", SEED, normal,
                    anomalous, end.feedbackNormal(), end.feedbackAnomaly());
            assertThat(end.feedbackNormal()).as("verdicts \"normal\" applied").isEqualTo(normal);
            assertThat(end.feedbackAnomaly()).as("verdicts \"anomaly\" applied").isEqualTo(anomalous);
            assertThat(end.examplesSeen() + end.skippedAnomalies()).as("stream images plus verdicts \"normal\", each once")
                    .isEqualTo(IMAGES + 1 + normal);
            assertThat(end.precision()).isEqualTo((double) anomalous / answers.size());

            Map<String, Long> dead = client.committed(Topics.IMAGES_DLQ).stream()
                    .filter(r -> Topics.FEEDBACK.equals(header(r, "__streams.errors.topic")))
                    .collect(Collectors.groupingBy(ConsumerRecord::key, LinkedHashMap::new, Collectors.counting()));
            Map<String, Long> expected = rejected.stream()
                    .collect(Collectors.groupingBy(FeedbackRecord::id, LinkedHashMap::new, Collectors.counting()));
            assertThat(dead).as("dead-letter records of rejected verdicts, by id").isEqualTo(expected);
        }
    }

    private static TrainingMetrics latest(TrainingMetricsWatcher watcher) {
        List<TrainingMetrics> records = watcher.records(MODEL);
        return records.isEmpty() ? null : records.get(records.size() - 1);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
