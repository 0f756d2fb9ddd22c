package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer runs in its own JVM and is killed with SIGKILL twice while images stream in. After
 * each restart it must resume from its committed state: in the end every training record has been
 * folded into the model exactly once ({@code examplesSeen == N}, never more), the model version
 * keeps rising, and the scorer (in this JVM) keeps scoring throughout, each image exactly once.
 */
class TrainerCrashRecoveryTest {

    private static final int IMAGES = 3000;
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void examplesSeenIsExactAfterHardKillsAndTheScorerKeepsScoring(@TempDir Path dir) throws Exception {
        Map<String, String> settings = Map.of("train.batch.size", "16", "publish.every.steps", "5",
                "publish.interval.ms", "500", "train.partial.batch.ms", "300", "warmup.examples", "500");
        Path config = dir.resolve("trainer.properties");
        StringBuilder props = new StringBuilder();
        StreamAeRunner.config(kafka.clientProperties(), dir.resolve("trainer-state"), settings)
                .forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(config, props);
        Path log = dir.resolve("trainer.log");
        String[] trainerArgs = {"trainer", "--config", config.toString(), "--status-interval", "0"};

        Datasets.Labelled train = Datasets.mnistTrain();
        try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka)) {
            Thread producer = new Thread(() -> {
                for (int i = 0; i < IMAGES; i++) {
                    client.send(KafkaTestClient.image("img-" + i, train, i * 2 % train.count()));
                    if (i % 100 == 99) {
                        client.flush();
                        pace(40);  // ~2,500 images/s: long enough to kill the trainer twice mid-stream
                    }
                }
                client.flush();
            }, "producer");

            ChildProcess trainer = ChildProcess.streamae(log, trainerArgs);
            producer.start();
            long[] killAt = {600, 1500};
            for (long threshold : killAt) {
                waitUntil("the trainer learns " + threshold + " examples (log: " + log + ")", Duration.ofSeconds(120),
                        () -> watcher.latestExamplesSeen() >= threshold);
                trainer.kill();
                long seenAtKill = watcher.latestExamplesSeen();
                assertThat(seenAtKill).as("killed mid-stream").isLessThan(IMAGES);
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

            var scores = client.readCommitted(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(60));
            Map<String, Long> perId = scores.stream().collect(Collectors.groupingBy(r -> r.key(), Collectors.counting()));
            assertThat(perId).hasSize(IMAGES);
            assertThat(Set.copyOf(perId.values())).containsExactly(1L);
        }
    }

    private static void pace(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
