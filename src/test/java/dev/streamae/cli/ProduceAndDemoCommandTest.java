package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.contract.TopicContract;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
        assertValidImageRecords(sent);
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
        assertValidImageRecords(sent);
    }

    /** What the command sent is valid under the topic contract's ImageRecord schema, keyed by image id. */
    private static void assertValidImageRecords(Map<String, String> sent) {
        sent.forEach((key, value) -> {
            assertThat(TopicContract.load().valueErrors(Topics.IMAGES, value.getBytes(StandardCharsets.UTF_8))).as(key)
                    .isEmpty();
            assertThat(value).as("the key is the image id").contains("\"id\":\"" + key + "\"");
        });
    }

    @Test
    void unknownDatasetIsAClearErrorWithoutAStackTrace() {
        CliRun r = CliRun.of("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--dataset", "cifar");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("unknown dataset 'cifar'").doesNotContain("\tat ");
    }

    /**
     * The demo as a user starts it: {@code main} in its own JVM, from a fresh directory. Besides the
     * report, the console must hold nothing but the command's own output (the JVM's incubator
     * warning aside, which the launcher drops: {@code LauncherTest}), and the full log goes to the
     * file the report names, with the first model's INFO line but not one per snapshot, and without
     * Kafka Streams' warning about processing.exception.handler.global.enabled.
     */
    @Test
    void demoRunsThePipelineAndReportsDetectionQualityWithAQuietConsole(@TempDir Path dir) throws Exception {
        Path config = Path.of("config", "demo.properties").toAbsolutePath();
        Path output = dir.resolve("out");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), StreamAeCommand.class.getName(),
                "demo", "--config", config.toString(), "--duration", "12", "--rate", "400", "--anomaly-rate", "0.05",
                "--output", output.toString(), "--dashboard-port", "0", "--set", "warmup.examples=800",
                "--set", "publish.every.steps=5");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process demo = builder.start();
        boolean ended = demo.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly().waitFor();
        }
        String out = Files.readString(dir.resolve("stdout"));
        List<String> err = Files.readAllLines(dir.resolve("stderr"));
        assertThat(ended).as("the demo ended within 5 minutes").isTrue();
        assertThat(demo.exitValue()).as(out + err).isZero();

        Path log = dir.resolve("streamae-output/logs/demo.log").toRealPath();
        assertThat(out).contains("live dashboard: http://127.0.0.1:").contains("| scored ").contains("images scored")
                .contains("score records (each exactly once: yes; 0 duplicated, 0 missing)")
                .contains("AUROC").contains("precision").contains("recall").contains("p99")
                .contains("full log               " + log);
        assertThat(err).as("the console's error stream").filteredOn(line -> !line.equals(LauncherTest.INCUBATOR_WARNING)).isEmpty();
        assertThat(output.resolve("report.txt")).exists();
        assertThat(output.resolve("reconstructions.png")).exists();
        assertThat(output.resolve("latent-space.png")).exists();

        String logged = Files.readString(log);
        assertThat(logged).contains("trainer is running").contains("scorer is running")
                .doesNotContain("processing.exception.handler.global.enabled");
        assertThat(logged.lines().filter(line -> line.contains(" accepted")))
                .as("accepted models at INFO: the scorer's first of the model, once").hasSize(1);
    }

    /**
     * {@code demo --drift-at}: normal drifts to Fashion-MNIST midway; the trainer (default policy,
     * adapt) must suspect, confirm and re-fit, each once, and the report must say so with the
     * false-alarm rate after the change. Against the demo's own broker, in this JVM.
     */
    @Test
    void demoWithADriftReportsTheTrainersEvents(@TempDir Path dir) {
        CliRun r = CliRun.of("demo", "--config", Path.of("config", "demo.properties").toAbsolutePath().toString(),
                "--duration", "24", "--drift-at", "12", "--rate", "500", "--anomaly-rate", "0.03",
                "--output", dir.resolve("out").toString(), "--dashboard-port", "-1", "--set", "warmup.examples=800");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        String drift = r.out().lines().filter(line -> line.startsWith("  trainer's events")).findFirst().orElseThrow();
        assertThat(drift).as("events after the change").contains("drift suspected +").contains("drift confirmed +")
                .contains("recalibrated +");
        assertThat(drift.split("drift confirmed", -1)).as("confirmed once").hasSize(2);
        assertThat(r.out()).contains("before the drift:").contains("normal became Fashion-MNIST after about")
                .contains("false-alarm rate on the new normal, per 5 s after the change:");
    }

    /**
     * {@code demo --streams digits,fashion}: both streams at once, each image naming its stream's
     * model; the report has a row per model with its own stream's figures, and every image of
     * either stream is scored exactly once. Against the demo's own broker, in this JVM.
     */
    @Test
    void demoWithSeveralStreamsReportsEachModelAndExactlyOnceOverAll(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        CliRun r = CliRun.of("demo", "--config", Path.of("config", "demo.properties").toAbsolutePath().toString(),
                "--streams", "digits,fashion", "--duration", "12", "--rate", "400", "--anomaly-rate", "0.05",
                "--output", output.toString(), "--dashboard-port", "-1", "--set", "warmup.examples=800");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("over 2 streams, each on its own model (digits: MNIST with Fashion-MNIST anomalies, "
                + "fashion: Fashion with noise anomalies)");
        String report = Files.readString(output.resolve("report.txt"));
        assertThat(report).contains("over 2 streams").contains("(each exactly once: yes; 0 duplicated, 0 missing), all streams")
                .contains("per model (target false-alarm rate");
        for (String model : List.of("digits", "fashion")) {
            List<String> rows = report.lines().filter(line -> line.startsWith(model + " ")).toList();
            assertThat(rows).as(model + "'s detection and training rows").hasSize(2);
            // About half of the 4,800 images each, taking turns: the ready and sent counts are that stream's own.
            String[] detection = rows.get(0).trim().split("\\s+");
            String[] training = rows.get(1).trim().split("\\s+");
            assertThat(Long.parseLong(training[1].replace(",", ""))).as(rows.get(1)).isBetween(2_000L, 2_500L);
            assertThat(Long.parseLong(detection[1].replace(",", ""))).as("scored READY by its own warmed-up model: " + rows.get(0))
                    .isBetween(1L, 2_500L);
            assertThat(training[training.length - 1]).as("each stream scored by its own model: " + rows.get(1)).isEqualTo(model);
        }
    }

    @Test
    void driftWithSeveralStreamsIsAClearError() {
        CliRun r = CliRun.of("demo", "--duration", "10", "--drift-at", "5", "--streams", "digits,fashion");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--drift-at drifts the digits stream alone");
    }

    @Test
    void driftOutsideTheRunIsAClearError() {
        CliRun r = CliRun.of("demo", "--duration", "10", "--drift-at", "10");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--drift-at must be a second within the run's --duration (1 to 9)");
    }
}
