package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The {@code produce} and {@code demo} commands as a user runs them, on a real broker. */
class ProduceAndDemoCommandTest {

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    private static Map<String, String> readAll(String topic, int expected) {
        Map<String, Object> c = new HashMap<>(kafka.clientProperties());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> out = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.put(r.key(), r.value()));
            }
        }
        return out;
    }

    @Test
    void producesADatasetAtARateWithInjectedAnomalies() {
        CliRun r = CliRun.of("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "images-dlq",
                "--dataset", "mnist-heldout", "--count", "300", "--rate", "2000", "--anomaly-rate", "0.1",
                "--id-prefix", "p-");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent 300 images");
        Map<String, String> sent = readAll("images-dlq", 300);
        assertThat(sent).hasSize(300);
        long fashion = sent.keySet().stream().filter(k -> k.startsWith("p-fashion-")).count();
        assertThat(fashion).isBetween(10L, 60L);
        assertThat(sent.values()).allMatch(v -> v.contains("\"u8\""));
    }

    @Test
    void producesAFolderOfPngs(@TempDir Path dir) throws Exception {
        Datasets.Labelled digits = Datasets.mnistHeldOut();
        for (int i = 0; i < 5; i++) {
            Files.write(dir.resolve("digit-" + i + ".png"), ImageDecoder.pngBytes(digits.images().pixels(i), 28, 28));
        }
        CliRun r = CliRun.of("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "training-metrics",
                "--folder", dir.toString(), "--rate", "1000");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, String> sent = readAll("training-metrics", 5);
        assertThat(sent).hasSize(5);
        assertThat(sent.values()).allMatch(v -> v.contains("\"png\""));
    }

    @Test
    void unknownDatasetIsAClearErrorWithoutAStackTrace() {
        CliRun r = CliRun.of("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--dataset", "cifar");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("unknown dataset 'cifar'").doesNotContain("\tat ");
    }

    @Test
    void demoRunsThePipelineAndReportsDetectionQuality(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("demo", "--duration", "12", "--rate", "400", "--anomaly-rate", "0.05",
                "--output", dir.toString(), "--dashboard-port", "0", "--set", "warmup.examples=800", "--set", "publish.every.steps=5");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("live dashboard: http://127.0.0.1:").contains("images scored").contains("score records (each exactly once: yes; 0 duplicated, 0 missing)")
                .contains("AUROC").contains("precision").contains("recall").contains("p99");
        assertThat(dir.resolve("report.txt")).exists();
        assertThat(dir.resolve("reconstructions.png")).exists();
        assertThat(dir.resolve("latent-space.png")).exists();
    }
}
