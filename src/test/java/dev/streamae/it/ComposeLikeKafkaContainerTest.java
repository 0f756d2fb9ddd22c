package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.cli.StreamAeCommand;
import dev.streamae.image.Datasets;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * StreamAE on the broker of {@code docker-compose.yml}: the same {@code apache/kafka} image and tag,
 * with the compose file's broker settings (message size, no auto-create, ...), in a container. The
 * {@code topics} command prepares it, then the real trainer and scorer (DL4J, exactly-once) run in
 * this JVM. Needs Docker; skipped where there is none.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeLikeKafkaContainerTest {

    private static final ComposeFile COMPOSE = ComposeFile.load();

    @Container
    static final KafkaContainer KAFKA = brokerLikeCompose();

    /** The compose broker's image and settings; listeners and roles are the container's own. */
    private static KafkaContainer brokerLikeCompose() {
        KafkaContainer kafka = new KafkaContainer(COMPOSE.image("kafka"));
        COMPOSE.environment("kafka").forEach((key, value) -> {
            if (!key.matches(".*(LISTENER|NODE_ID|PROCESS_ROLES|QUORUM|LOG_DIRS).*")) {
                kafka.withEnv(key, value);
            }
        });
        return kafka;
    }

    static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "5",
            "publish.interval.ms", "1000",
            "warmup.examples", "200");

    @Test
    void topicsCommandThenTrainerAndScorerScoreEveryImageOnce(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.getBootstrapServers();
        assertThat(StreamAeCommand.commandLine().execute("topics", "--bootstrap-servers", bootstrap)).isZero();

        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Datasets.Labelled mnist = Datasets.mnistTrain();
        try (var trainer = StreamAeRunner.trainer(client, state.resolve("trainer"), SETTINGS);
             var scorer = StreamAeRunner.scorer(client, state.resolve("scorer"), SETTINGS);
             var producer = new KafkaTestClient(client)) {
            // 250 digits to learn from; the model (a multi-megabyte record) must reach the scorer.
            for (int i = 0; i < 250; i++) {
                producer.send(KafkaTestClient.image("warm-" + i, mnist, i));
            }
            producer.flush();
            waitUntil("the trainer learns 250 digits", Duration.ofSeconds(120),
                    () -> trainer.metrics().examplesTrained() == 250);
            waitUntil("the scorer holds a warmed-up model", Duration.ofSeconds(60),
                    () -> scorer.registry().current() != null && scorer.registry().current().examplesSeen() >= 200);

            for (int i = 250; i < 350; i++) {
                producer.send(KafkaTestClient.image("scored-" + i, mnist, i));
            }
            producer.flush();

            var records = producer.readCommitted(Topics.IMAGE_SCORES, 350, Duration.ofSeconds(120));
            Map<String, Long> perId = records.stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
            assertThat(perId).hasSize(350);
            assertThat(perId.values()).allMatch(n -> n == 1);

            JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
            Map<String, ScoreRecord> scores = records.stream().map(r -> serde.fromBytes(r.value()))
                    .collect(Collectors.toMap(ScoreRecord::id, Function.identity()));
            assertThat(scores.values().stream().filter(s -> s.id().startsWith("scored-")))
                    .as("scored with the trained model").allMatch(s -> s.status() == ScoreRecord.Status.READY);
        }
    }
}
