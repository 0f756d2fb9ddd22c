package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.ThreadMetadata;
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
            // With two threads, the survivor alone can own fewer than six tasks for a moment (one thread
            // assigned before the other): wait for the group's split between the two instances.
            waitUntil("the child scorer takes some partitions (log: " + log + ")", Duration.ofSeconds(120),
                    () -> splitBetween(kafka, survivor));
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
            // child's partitions, the child scored.
            Set<Integer> childs = partitionsOfOthers(kafka, survivor);
            long committedByChild = client.committed(Topics.IMAGE_SCORES).stream()
                    .filter(r -> childs.contains(r.partition())).count();
            child.kill();
            assertThat(committedByChild).as("scores the child committed before it was killed").isPositive();
            producer.join();

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(90));
            assertThat(survivor.activeTasks()).as("the survivor owns every partition").isEqualTo(6);
        }
    }

    /** Whether the six {@code images} partitions are split between {@code instance} and the other members. */
    private static boolean splitBetween(LocalKafka kafka, StreamAeRunner.Scorer instance) {
        Set<Integer> own = instance.imagesPartitions();
        Set<Integer> others = partitionsOfOthers(kafka, instance);
        Set<Integer> all = new HashSet<>(own);
        all.addAll(others);
        return !own.isEmpty() && !others.isEmpty() && all.size() == 6 && own.size() + others.size() == 6;
    }

    /** The {@code images} partitions the scorer group has assigned to members other than {@code instance}'s threads. */
    private static Set<Integer> partitionsOfOthers(LocalKafka kafka, StreamAeRunner.Scorer instance) {
        Set<String> own = instance.app().streams().metadataForLocalThreads().stream()
                .map(ThreadMetadata::consumerClientId).collect(Collectors.toSet());
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(ScorerTopology.APPLICATION_ID))
                    .all().get().get(ScorerTopology.APPLICATION_ID);
            return group.members().stream().filter(m -> !own.contains(m.clientId()))
                    .flatMap(m -> m.assignment().topicPartitions().stream())
                    .filter(p -> p.topic().equals(Topics.IMAGES)).map(TopicPartition::partition)
                    .collect(Collectors.toSet());
        } catch (ExecutionException e) {
            throw new IllegalStateException("describing the scorer group failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
