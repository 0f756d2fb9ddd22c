package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.FeedbackRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingMetrics;
import dev.streamae.streams.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' verdicts survive hard kills of the trainer exactly: the trainer runs in its own JVM
 * at the production settings and is killed with SIGKILL {@value #KILLS} times while
 * {@value #VERDICTS} verdicts (alternately {@code normal} and {@code anomaly}) on images it has
 * learnt stream in, each kill at a seeded random point ({@code -Dstreamae.crash.seed}) once a
 * random share of them is applied and committed (the {@code feedback-applied} changelog shows it).
 * In the end every verdict must be applied exactly once: the last {@code training-metrics} record
 * counts exactly the verdicts sent, and the images and verdicts {@code normal} are each learnt or
 * skipped once. None may be refused: a verdict read again after a kill is no repeat, since its
 * applied mark commits in the transaction that consumes it. In the {@code reliability} profile:
 * four trainer starts take a few minutes.
 */
@Tag("reliability")
class FeedbackCrashRecoveryTest {

    private static final int IMAGES = 2_000;
    private static final int VERDICTS = 600;
    /** Images sent after the verdicts, so that the trainer publishes after applying the last of them. */
    private static final int AFTER = 640;
    private static final int KILLS = 3;
    private static final long SEED = Long.getLong("streamae.crash.seed", 7L);
    private static final String MODEL = StreamAeSettings.defaults().modelName();
    private static final String APPLIED_CHANGELOG = TrainerTopology.APPLICATION_ID + "-feedback-applied-changelog";
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
        Path log = dir.resolve("trainer.log");
        String[] trainerArgs = StreamAeRunner.childTrainer(kafka, dir, StreamAeRunner.KILLED_TRAINER);
        Datasets.Labelled train = Datasets.mnistTrain();
        JsonSerde<FeedbackRecord> serde = JsonSerde.of(FeedbackRecord.class);
        AtomicLong applied = new AtomicLong();

        try (var watcher = new TrainingMetricsWatcher(kafka);
             var appliedLog = new TopicTail(kafka, APPLIED_CHANGELOG, r -> applied.incrementAndGet());
             var client = new KafkaTestClient(kafka)) {
            ChildProcess trainer = ChildProcess.streamae(log, trainerArgs);
            for (int i = 0; i < IMAGES; i++) {
                client.send(KafkaTestClient.image("img-" + i, train, i));
            }
            client.flush();
            waitUntil("the trainer learns the images (log: " + log + ")", Duration.ofSeconds(180),
                    () -> watcher.latestExamplesDone(MODEL) == IMAGES);

            // Verdicts on images it learnt, with their coordinates as their scores would carry them.
            List<ConsumerRecord<String, byte[]>> stored = client.committed(Topics.IMAGES);
            assertThat(stored).hasSize(IMAGES);
            List<FeedbackRecord> verdicts = new ArrayList<>();
            for (int i = 0; i < VERDICTS; i++) {
                ConsumerRecord<String, byte[]> image = stored.get(i * (IMAGES / VERDICTS));
                verdicts.add(new FeedbackRecord(image.key(), i % 2 == 0 ? Verdict.NORMAL : Verdict.ANOMALY,
                        image.partition(), image.offset()));
            }
            // Sent a little at a time, so that each kill finds verdicts still to apply.
            Thread sender = new Thread(() -> {
                for (int i = 0; i < verdicts.size(); i++) {
                    FeedbackRecord v = verdicts.get(i);
                    client.send(Topics.FEEDBACK, v.id(), serde.toBytes(v));
                    if (i % 20 == 19) {
                        client.flush();
                        pause(100);
                    }
                }
                client.flush();
            }, "verdicts");
            sender.start();

            Random random = new Random(SEED);
            int[] killAt = random.ints(KILLS, 20, VERDICTS * 2 / 3).sorted().toArray();
            LOG.info("seed {}: killing the trainer once {} verdicts are applied", SEED, java.util.Arrays.toString(killAt));
            for (int k = 0; k < KILLS; k++) {
                int threshold = killAt[k];
                waitUntil("the trainer applies " + threshold + " verdicts (log: " + log + ")", Duration.ofSeconds(180),
                        () -> applied.get() >= threshold);
                pause(random.nextInt(300));  // in a lookup, a step, a checkpoint or a commit
                trainer.kill();
                LOG.info("seed {}: killed with {} verdicts applied and committed", SEED, applied.get());
                trainer = ChildProcess.streamae(log, trainerArgs);
            }
            sender.join();
            for (int i = 0; i < AFTER; i++) {
                client.send(KafkaTestClient.image("after-" + i, train, IMAGES + i));
            }
            client.flush();
            long normal = verdicts.stream().filter(v -> v.verdict() == Verdict.NORMAL).count();
            long anomaly = verdicts.size() - normal;
            long learntOrSkipped = IMAGES + AFTER + normal;
            try (ChildProcess last = trainer) {
                waitUntil("every image and verdict normal learnt or skipped (log: " + log + ")", Duration.ofSeconds(180),
                        () -> watcher.latestExamplesDone(MODEL) >= learntOrSkipped);
            }
            List<String> starts;
            try (var lines = Files.lines(log)) {
                starts = lines.filter(line -> line.contains(" starts at ")).toList();
            }
            starts.forEach(line -> LOG.info("seed {}: {}", SEED, line));
            assertThat(starts).as("trainer task starts").hasSizeGreaterThanOrEqualTo(KILLS + 1);

            List<TrainingMetrics> records = watcher.records(MODEL);
            TrainingMetrics end = records.get(records.size() - 1);
            assertThat(end.feedbackNormal()).as("verdicts normal applied (seed %d)", SEED).isEqualTo(normal);
            assertThat(end.feedbackAnomaly()).as("verdicts anomaly applied (seed %d)", SEED).isEqualTo(anomaly);
            assertThat(end.examplesSeen() + end.skippedAnomalies()).as("images and verdicts normal, each once")
                    .isEqualTo(learntOrSkipped);
            assertThat(records).as("never more verdicts on the way").allSatisfy(m -> {
                assertThat(m.feedbackNormal()).isLessThanOrEqualTo(normal);
                assertThat(m.feedbackAnomaly()).isLessThanOrEqualTo(anomaly);
            });
            assertThat(client.committed(Topics.IMAGES_DLQ)).as("no verdict refused, none taken for a repeat").isEmpty();
        }
    }
}
