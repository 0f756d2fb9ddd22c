package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two scorer instances share the six {@code images} partitions: each image is scored once between them. */
class ScorerScaleOutTest {

    private static final int IMAGES = 2000;
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void twoInstancesScoreEveryImageExactlyOnceBetweenThem(@TempDir Path dir) throws Exception {
        Map<String, String> settings = Map.of();  // production defaults: two stream threads per instance
        Datasets.Labelled train = Datasets.mnistTrain();
        try (var first = StreamAeRunner.scorer(kafka, dir.resolve("first"), settings);
             var second = StreamAeRunner.scorer(kafka, dir.resolve("second"), settings);
             var client = new KafkaTestClient(kafka)) {
            waitUntil("both instances own partitions", Duration.ofSeconds(60),
                    () -> first.activeTasks() > 0 && second.activeTasks() > 0);
            for (int i = 0; i < IMAGES; i++) {
                client.send(KafkaTestClient.image("img-" + i, train, i));
            }
            client.flush();

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(120));
            assertThat(first.metrics().imagesScored()).isPositive();
            assertThat(second.metrics().imagesScored()).isPositive();
            assertThat(first.metrics().imagesScored() + second.metrics().imagesScored()).isEqualTo(IMAGES);
        }
    }
}
