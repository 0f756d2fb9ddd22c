package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker is stopped mid-stream, left down for a few seconds and started again on the same port
 * and data ({@link LocalKafka#stop()}, {@link LocalKafka#restart()}), while the trainer and the
 * scorer run and images keep coming. Both topologies recover by themselves: every image is scored
 * exactly once (read_committed) and folded into the model exactly once (learnt or skipped as an
 * anomaly: {@code examplesSeen} plus the skipped exact), at the production defaults.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BrokerRestartTest {

    private static final int IMAGES = 2000;
    private static final long SEED = Long.getLong("streamae.crash.seed", 7L);
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartTest.class);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void bothTopologiesRecoverAndNothingIsLostOrDuplicated(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        Map<String, String> settings = Map.of();  // production defaults: batch 64, publishing, scorer threads
        Random random = new Random(SEED);
        Datasets.Labelled train = Datasets.mnistTrain();
        try (var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), settings);
             var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka)) {
            Thread producer = new Thread(() -> {
                for (int i = 0; i < IMAGES; i++) {
                    client.send(KafkaTestClient.image("img-" + i, train, i));
                    if (i % 100 == 99) {
                        client.flush();  // blocks while the broker is down: the producer retries
                        pause(100);
                    }
                }
                client.flush();
            }, "producer");
            producer.start();
            long stopAfter = 300 + random.nextInt(700);
            waitUntil(stopAfter + " images scored and learnt", Duration.ofSeconds(90),
                    () -> scorer.metrics().imagesScored() >= stopAfter && trainer.metrics().examplesTrained() >= stopAfter);
            long down = 2000 + random.nextInt(4000);
            LOG.info("seed {}: stopping the broker after {} images for {} ms", SEED, stopAfter, down);
            kafka.stop();
            pause(down);
            kafka.restart();
            producer.join();

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(120));
            waitUntil("every image learnt (or skipped as an anomaly)", Duration.ofSeconds(90),
                    () -> watcher.latestExamplesDone(StreamAeSettings.defaults().modelName()) == IMAGES);
            assertThat(watcher.records()).extracting(TrainingMetrics::examplesSeen).allMatch(n -> n <= IMAGES);
            assertThat(watcher.records()).extracting(TrainingMetrics::modelVersion).isSorted();
            assertThat(trainer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(scorer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }
}
