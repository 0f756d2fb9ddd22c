package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two scorer instances with the default two stream threads each share the {@code images}
 * partitions: one in this JVM, one in its own JVM ({@code streamae scorer}), which is killed with
 * SIGKILL mid-stream at a seeded random point, once it has committed scores of its own. The
 * survivor takes over the dead instance's partitions and every image is still scored exactly once
 * (read_committed).
 *
 * <p>The killed instance leaves an open transaction, which blocks read_committed readers (and the
 * survivor's offset fetch for those partitions) until the broker aborts it after
 * {@code transaction.timeout.ms}: Kafka Streams sets it to 10 s under exactly-once; 5 s here. The
 * survivor only gets the partitions once the group coordinator gives up on the dead member after
 * {@code session.timeout.ms} (45 s by default; 6 s here, the broker's minimum).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ScorerCrashRecoveryTest {

    private static final int IMAGES = 3000;
    private static final long SEED = Long.getLong("streamae.crash.seed", 7L);
    private static final Logger LOG = LoggerFactory.getLogger(ScorerCrashRecoveryTest.class);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void theSurvivorTakesOverAndEveryImageIsScoredExactlyOnce(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        // Two stream threads per instance, as in production; only the failover timings are shortened.
        Map<String, String> settings = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000",
                "transaction.timeout.ms", "5000");
        Path config = StreamAeRunner.configFile(kafka, dir.resolve("child-state"), settings,
                dir.resolve("scorer.properties"));
        Path log = dir.resolve("scorer.log");
        Random random = new Random(SEED);
        Datasets.Labelled train = Datasets.mnistTrain();
        try (var survivor = StreamAeRunner.scorer(kafka, dir.resolve("survivor"), settings);
             var child = ChildProcess.streamae(log, "scorer", "--config", config.toString(), "--status-interval", "0");
             var client = new KafkaTestClient(kafka)) {
            waitUntil("the child scorer takes some partitions (log: " + log + ")", Duration.ofSeconds(120),
                    () -> survivor.activeTasks() > 0 && survivor.activeTasks() < 6);
            int killAfter = 500 + random.nextInt(1500);
            LOG.info("seed {}: killing the child scorer once {} scores are committed", SEED, killAfter);
            Thread producer = new Thread(() -> {
                for (int i = 0; i < IMAGES; i++) {
                    client.send(KafkaTestClient.image("img-" + i, train, i));
                    if (i % 100 == 99) {
                        client.flush();
                        pause(50);
                    }
                }
                client.flush();
            }, "producer");
            producer.start();
            waitUntil(killAfter + " scores committed", Duration.ofSeconds(60),
                    () -> client.committed(Topics.IMAGE_SCORES).size() >= killAfter);
            pause(random.nextInt(200));
            // Scores go to the image-scores partition numbered like the image's (same key, six partitions
            // each), and the split has not changed since the first image: what is committed in the
            // partitions the survivor does not own, the child scored.
            Set<Integer> survivors = survivor.imagesPartitions();
            long committedByChild = client.committed(Topics.IMAGE_SCORES).stream()
                    .filter(r -> !survivors.contains(r.partition())).count();
            child.kill();
            assertThat(committedByChild).as("scores the child committed before it was killed").isPositive();
            producer.join();

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(90));
            assertThat(survivor.activeTasks()).as("the survivor owns every partition").isEqualTo(6);
        }
    }
}
