package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamae.bench.TorchReference;
import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.Topics;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Producing and consuming" examples, taken from README.md and run as written against
 * a real broker with a real trainer and scorer: the console producer fed by the python3 one-liner,
 * the Java program, the Python program (where a python3 can import its client) and the console
 * consumer of alerts. Each producer example must get its image scored exactly once, by a warmed-up
 * model, under the id the example gives it; the consumer must print every committed alert.
 *
 * <p>Only the broker address is changed ({@code localhost:9092} becomes the test broker's). Kafka's
 * {@code kafka-console-producer.sh} and {@code kafka-console-consumer.sh} are not installed here:
 * the test puts scripts of those names on the PATH that run the same main classes as Kafka's own
 * scripts, from the kafka-tools jar on the test classpath. One broker, trainer and scorer serve all
 * examples; the model is warmed up once on MNIST digits, so that scores are READY and alerts fire.
 */
class ReadmeExamplesTest {

    private static final String README_BROKER = "localhost:9092";
    private static final int WARM_UP = 400;
    private static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", String.valueOf(WARM_UP),
            // Shorter than the warm-up: the calibration reflects the trained model, not its first steps.
            "calibration.window", "200");
    /** What Kafka's bin/kafka-console-*.sh scripts run (kafka-run-class.sh with these classes). */
    private static final Map<String, String> KAFKA_SCRIPTS = Map.of(
            "kafka-console-producer.sh", "org.apache.kafka.tools.ConsoleProducer",
            "kafka-console-consumer.sh", "org.apache.kafka.tools.consumer.ConsoleConsumer");
    /** kafka-clients and its runtime dependencies (compression codecs, SLF4J's API). */
    private static final Pattern KAFKA_CLIENT_JARS =
            Pattern.compile("(kafka-clients|slf4j-api|lz4-java|snappy-java|zstd-jni)-\\d");
    /** A Python import line: {@code import a, b} (group 1) or {@code from a.b import c} (group 2). */
    private static final Pattern IMPORTED = Pattern.compile("^(?:import\\s+(.+)|from\\s+(\\S+)\\s+import\\b.*)$");
    private static final Duration EXAMPLE_TIMEOUT = Duration.ofSeconds(90);
    /** A record as the console consumer prints it with print.key=true; it may print notices besides. */
    private static final Pattern RECORD_LINE = Pattern.compile("[^\\t]+\\t\\{.*\\}");

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    @TempDir
    static Path dir;

    private static final JsonSerde<ScoreRecord> SCORES = JsonSerde.of(ScoreRecord.class);
    private static final Map<String, List<ScoreRecord>> scored = new ConcurrentHashMap<>();
    private static final Map<String, List<ScoreRecord>> alerted = new ConcurrentHashMap<>();
    private static final Map<String, String> deadLettered = new ConcurrentHashMap<>();
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static ReadmeSection readme;
    private static LocalKafka kafka;
    private static KafkaTestClient client;
    private static Path bin;

    @BeforeAll
    static void warmedUpTrainerAndScorer() throws Exception {
        readme = ReadmeSection.read("## Producing and consuming");
        kafka = BROKER.kafka();
        running.add(new TopicTail(kafka, Topics.IMAGE_SCORES, r -> collect(scored, r.key(), r.value())));
        running.add(new TopicTail(kafka, Topics.ANOMALY_ALERTS, r -> collect(alerted, r.key(), r.value())));
        running.add(new TopicTail(kafka, Topics.IMAGES_DLQ, r -> deadLettered.put(key(r.key()), reason(r))));
        var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), SETTINGS);
        running.add(trainer);
        var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), SETTINGS);
        running.add(scorer);
        client = new KafkaTestClient(kafka);
        running.add(client);
        Datasets.Labelled digits = Datasets.mnistTrain().evenlySpaced(WARM_UP);
        for (int i = 0; i < WARM_UP; i++) {
            client.send(KafkaTestClient.image("warm-up-" + i, digits, i));
        }
        client.flush();
        waitUntil("the scorer holds a warmed-up model", Duration.ofSeconds(120), () -> {
            var model = scorer.registry().current();
            return model != null && model.alerting() && model.examplesSeen() >= WARM_UP;
        });
        bin = Files.createDirectories(dir.resolve("bin"));
        for (var script : KAFKA_SCRIPTS.entrySet()) {
            Path file = bin.resolve(script.getKey());
            Files.writeString(file, "#!/bin/sh\nexec \"$KAFKA_TOOLS_JAVA\" -Xmx256m -cp \"$KAFKA_TOOLS_CLASSPATH\" "
                    + script.getValue() + " \"$@\"\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void consoleProducerExampleGetsItsImageScored() throws Exception {
        String code = onTestBroker(readme.block("bash", "kafka-console-producer.sh").code(), "img-1");
        run(List.of("bash", "-c", code), "console-producer");
        assertScoredOnceByTheWarmedUpModel("img-1");
    }

    @Test
    void javaExampleGetsItsImageScored() throws Exception {
        String code = onTestBroker(readme.block("java", "KafkaProducer").code(), "img-2");
        Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
        assertThat(name.find()).as("the Java example is a public class").isTrue();
        Path source = Files.createDirectories(dir.resolve("java")).resolve(name.group(1) + ".java");
        Files.writeString(source, code);
        // As the README runs it: Java's source launcher, with Kafka's client jars on the classpath.
        run(List.of(java(), "-Xmx256m", "-cp", kafkaClientJars(), source.toString()), "java");
        assertScoredOnceByTheWarmedUpModel("img-2");
    }

    @Test
    void pythonExampleGetsItsPngScored() throws Exception {
        String code = onTestBroker(readme.block("python", "digit.png").code(), "digit-1");
        // The modules it imports, not its import lines: a misspelt name in the README must fail, not skip.
        String modules = code.lines().map(IMPORTED::matcher).filter(Matcher::find)
                .flatMap(m -> Arrays.stream((m.group(1) != null ? m.group(1) : m.group(2)).split(",")).map(String::strip))
                .map(module -> module.split("[ .]")[0]).distinct().collect(Collectors.joining(", "));
        String python = List.of("python3", "/usr/bin/python3").stream()
                .filter(candidate -> TorchReference.canImport(candidate, modules)).findFirst().orElse(null);
        assumeTrue(python != null, "needs a python3 that imports " + modules
                + " (Debian: apt-get install python3-kafka)");
        Path work = Files.createDirectories(dir.resolve("python"));
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        Files.write(work.resolve("digit.png"), ImageDecoder.pngBytes(heldOut.images().pixels(0), 28, 28));
        Files.writeString(work.resolve("example.py"), code);
        run(List.of(python, "example.py"), work, "python");
        assertScoredOnceByTheWarmedUpModel("digit-1");
    }

    @Test
    void consoleConsumerExamplePrintsEveryCommittedAlert() throws Exception {
        // A white square is nothing like the digits the model learnt: it is flagged.
        byte[] white = new byte[784];
        Arrays.fill(white, (byte) 255);
        client.send(new ImageRecord("white-1", null, ImageDecoder.encodeU8(white), null, null, null, null, null));
        client.flush();
        waitUntil("an alert for the white square", EXAMPLE_TIMEOUT, () -> alerted.containsKey("white-1"));

        String code = onTestBroker(readme.block("bash", "kafka-console-consumer.sh").code(), "anomaly-alerts");
        Path log = dir.resolve("console-consumer.log");
        Process consumer = processBuilder(List.of("bash", "-c", code), dir)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        List<String> printed = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (var out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(printed::add);
            } catch (IOException e) {
                // the process was stopped: what it printed so far is in printed
            }
        });
        reader.start();
        try {
            // It runs until Ctrl-C: wait until it printed every alert on the topic, then stop it.
            waitUntil("the console consumer printing every alert", EXAMPLE_TIMEOUT,
                    () -> !consumer.isAlive() || keys(records(printed)).equals(alerted.keySet()));
            assertThat(consumer.isAlive()).as("the console consumer still runs").isTrue();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nalerts on the topic: " + alerted.keySet() + "; it printed:\n"
                    + String.join("\n", printed) + "\nand logged:\n" + Files.readString(log), e);
        } finally {
            consumer.descendants().forEach(ProcessHandle::destroy);
            consumer.destroy();
            consumer.waitFor(30, TimeUnit.SECONDS);
            reader.join(5000);
        }
        List<String[]> records = records(printed);
        assertThat(keys(records)).contains("white-1");
        assertThat(records).as("each alert printed once").hasSameSizeAs(keys(records));
        for (String[] keyAndValue : records) {
            ScoreRecord alert = SCORES.fromBytes(keyAndValue[1].getBytes(StandardCharsets.UTF_8));
            assertThat(alert.id()).isEqualTo(keyAndValue[0]);
            assertThat(alert.anomaly()).as("printed from anomaly-alerts: %s", alert).isTrue();
            assertThat(alert.status()).isEqualTo(ScoreRecord.Status.READY);
        }
    }

    /** The example with the test broker's address; it must name the README's broker and {@code expected}. */
    private static String onTestBroker(String code, String expected) {
        assertThat(code).contains(README_BROKER).contains(expected);
        return code.replace(README_BROKER, kafka.bootstrapServers());
    }

    private static void assertScoredOnceByTheWarmedUpModel(String id) {
        waitUntil("a score for " + id, EXAMPLE_TIMEOUT, () -> scored.containsKey(id) || deadLettered.containsKey(id));
        assertThat(deadLettered).as("dead-lettered example images, with the reason").doesNotContainKey(id);
        List<ScoreRecord> scores = scored.get(id);
        assertThat(scores).as("score records of " + id).hasSize(1);
        ScoreRecord score = scores.get(0);
        assertThat(score.id()).isEqualTo(id);
        assertThat(score.status()).isEqualTo(ScoreRecord.Status.READY);
        assertThat(score.modelVersion()).isPositive();
        assertThat(score.code()).hasSize(3);
        assertThat(score.error()).isFinite();
    }

    private static void run(List<String> command, String name) throws Exception {
        run(command, dir, name);
    }

    /** Runs {@code command} in {@code workDir} and asserts that it ends with status 0. */
    private static void run(List<String> command, Path workDir, String name) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process process = processBuilder(command, workDir).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        boolean ended = process.waitFor(EXAMPLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        assertThat(ended && process.exitValue() == 0).as("%s ended with status 0; its output:%n%s", name,
                Files.readString(log)).isTrue();
    }

    /** The example's environment: Kafka's console scripts on the PATH. */
    private static ProcessBuilder processBuilder(List<String> command, Path workDir) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("KAFKA_TOOLS_JAVA", java());
        builder.environment().put("KAFKA_TOOLS_CLASSPATH", System.getProperty("java.class.path"));
        return builder;
    }

    /**
     * kafka-clients and the libraries it needs at run time, from the test classpath: what a Kafka
     * download's libs/ gives a producer. Javac reads every jar on its classpath, and the test
     * classpath has some 200: seconds the example does not need.
     */
    private static String kafkaClientJars() {
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(jar -> KAFKA_CLIENT_JARS.matcher(Path.of(jar).getFileName().toString()).lookingAt()).toList();
        assertThat(jars).as("kafka-clients on the test classpath").anyMatch(jar -> jar.contains("kafka-clients"));
        return String.join(File.pathSeparator, jars);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The printed records, key and value: with print.key=true, lines of a key, a tab and the JSON value. */
    private static List<String[]> records(List<String> printed) {
        return printed.stream().filter(RECORD_LINE.asMatchPredicate()).map(l -> l.split("\t", 2)).toList();
    }

    private static Set<String> keys(List<String[]> records) {
        return records.stream().map(r -> r[0]).collect(Collectors.toSet());
    }

    private static void collect(Map<String, List<ScoreRecord>> into, byte[] key, byte[] value) {
        into.computeIfAbsent(key(key), k -> new CopyOnWriteArrayList<>()).add(SCORES.fromBytes(value));
    }

    private static String key(byte[] key) {
        return key == null ? "" : new String(key, StandardCharsets.UTF_8);
    }

    private static String reason(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record) {
        var header = record.headers().lastHeader("__streams.errors.message");
        return header == null ? "(no reason header)" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
