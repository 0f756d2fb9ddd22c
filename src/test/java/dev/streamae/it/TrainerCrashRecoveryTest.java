package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer runs in its own JVM and is killed with SIGKILL at {@value #KILLS} random points (seeded:
 * {@code -Dstreamae.crash.seed}, logged) while images stream in. After each restart it must resume
 * from its committed state: in the end every training record has been folded into the model exactly
 * once ({@code examplesSeen == N}, never more), the model version keeps rising, the loss keeps
 * falling across the kills, and the scorer (in this JVM) keeps scoring throughout, each image
 * exactly once. In the {@code reliability} profile: four JVM starts take minutes on a loaded machine.
 */
@Tag("reliability")
class TrainerCrashRecoveryTest {

    private static final int IMAGES = 3000;
    /** Images out beyond a kill point when the trainer is killed there (kill points end IMAGES - 600 short). */
    private static final int KILL_LEAD = 300;
    private static final int KILLS = 3;
    private static final long SEED = Long.getLong("streamae.crash.seed", 7L);
    private static final Logger LOG = LoggerFactory.getLogger(TrainerCrashRecoveryTest.class);
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void examplesSeenIsExactAfterHardKillsAndTheScorerKeepsScoring(@TempDir Path dir) throws Exception {
        // A killed trainer does not leave its group: a short session lets its successor in sooner.
        Map<String, String> settings = Map.of("train.batch.size", "16", "publish.every.steps", "5",
                "publish.interval.ms", "500", "train.partial.batch.ms", "300", "warmup.examples", "500",
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");
        Path config = StreamAeRunner.configFile(kafka, dir.resolve("trainer-state"), settings,
                dir.resolve("trainer.properties"));
        Path log = dir.resolve("trainer.log");
        String[] trainerArgs = {"trainer", "--config", config.toString(), "--status-interval", "0"};

        Datasets.Labelled train = Datasets.mnistTrain();
        try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka)) {
            // Images are released a stretch at a time, so that whatever the machine's speed the
            // trainer is always killed with images still to learn: at most KILL_LEAD beyond the
            // kill point are out before each kill (a trainer faster than the producer's pace once
            // learnt all 3,000 before its first kill).
            Semaphore released = new Semaphore(0);
            Thread producer = new Thread(() -> {
                for (int i = 0; i < IMAGES; i++) {
                    released.acquireUninterruptibly();
                    client.send(KafkaTestClient.image("img-" + i, train, i * 2 % train.count()));
                    if (i % 100 == 99) {
                        client.flush();
                        pause(40);  // ~2,500 images/s: long enough to kill the trainer twice mid-stream
                    }
                }
                client.flush();
            }, "producer");

            ChildProcess trainer = ChildProcess.streamae(log, trainerArgs);
            producer.start();
            Random random = new Random(SEED);
            long[] killAt = killPoints(random);
            LOG.info("seed {}: killing the trainer after {} examples (each plus a random delay)", SEED,
                    Arrays.toString(killAt));
            List<Long> seenAtKills = new ArrayList<>();
            long out = killAt[0] + KILL_LEAD;
            released.release((int) out);
            for (int k = 0; k < KILLS; k++) {
                long threshold = killAt[k];
                waitUntil("the trainer learns " + threshold + " examples (seed " + SEED + ", log: " + log + ")",
                        Duration.ofSeconds(120), () -> watcher.latestExamplesSeen() >= threshold);
                pause(random.nextInt(400));  // anywhere in a step, a checkpoint, a publish or a commit
                trainer.kill();
                long seenAtKill = watcher.latestExamplesSeen();
                assertThat(seenAtKill).as("killed mid-stream").isLessThan(IMAGES);
                seenAtKills.add(seenAtKill);
                long next = k + 1 < KILLS ? killAt[k + 1] + KILL_LEAD : IMAGES;
                released.release((int) (next - out));
                out = next;
                long scoredAtKill = scorer.metrics().imagesScored();
                waitUntil("the scorer keeps scoring while the trainer is down", Duration.ofSeconds(60),
                        () -> scorer.metrics().imagesScored() > scoredAtKill || scoredAtKill >= IMAGES);
                trainer = ChildProcess.streamae(log, trainerArgs);
            }
            producer.join();
            try (ChildProcess last = trainer) {
                waitUntil("examplesSeen reaches " + IMAGES + " (log: " + log + ")", Duration.ofSeconds(180),
                        () -> watcher.latestExamplesSeen() == IMAGES);
            }

            List<TrainingMetrics> records = watcher.records();
            assertThat(records).extracting(TrainingMetrics::examplesSeen).allMatch(n -> n <= IMAGES);
            assertThat(records).extracting(TrainingMetrics::modelVersion).isSorted();
            assertThat(records.get(records.size() - 1).loss()).isLessThan(records.get(0).loss());
            // The loss keeps falling across the kills: each restart resumes the trained model rather
            // than starting over, so the loss after the last kill is below the loss before the first.
            double before = meanLoss(records, 0, seenAtKills.get(0));
            double after = meanLoss(records, seenAtKills.get(seenAtKills.size() - 1), IMAGES);
            LOG.info("seed {}: mean loss {} before the first kill, {} after the last", SEED, before, after);
            assertThat(after).as("mean loss after the last kill (seed %d)", SEED).isLessThan(before);

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(60));
        }
    }

    /** {@value #KILLS} kill thresholds in (300, IMAGES - 600), at least 300 examples apart. */
    private static long[] killPoints(Random random) {
        long[] points = new long[KILLS];
        long span = IMAGES - 900 - 300L * (KILLS - 1);
        long[] offsets = random.longs(KILLS, 0, span).sorted().toArray();
        for (int i = 0; i < KILLS; i++) {
            points[i] = 300 + offsets[i] + 300L * i;
        }
        return points;
    }

    /** Mean loss of the metrics records with {@code from < examplesSeen <= to}. */
    private static double meanLoss(List<TrainingMetrics> records, long from, long to) {
        return records.stream().filter(r -> r.examplesSeen() > from && r.examplesSeen() <= to)
                .mapToDouble(TrainingMetrics::loss).filter(Double::isFinite).average().orElseThrow();
    }
}
