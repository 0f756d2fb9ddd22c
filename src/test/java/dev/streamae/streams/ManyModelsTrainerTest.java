package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static dev.streamae.streams.TopologyTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer with several models (TopologyTestDriver, the deterministic fake model): each image
 * trains its own model's state, each model publishes under its own name, the bound on models holds
 * with a dead letter, idle models leave memory and come back exact, and versions are kept for
 * rollback in a bounded history.
 */
class ManyModelsTrainerTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> images;
    private TestOutputTopic<String, byte[]> models;
    private TestOutputTopic<String, byte[]> history;
    private TestOutputTopic<String, TrainingMetrics> metricsTopic;
    private TestOutputTopic<byte[], byte[]> dlq;
    private final TrainerMetrics metrics = new TrainerMetrics();

    private void start(Map<String, String> overrides) throws Exception {
        StreamAeSettings settings = SETTINGS.with(overrides);
        Properties props = StreamsProperties.trainer("unused:9092", Map.of("application.id", "trainer-test",
                "state.dir", Files.createTempDirectory("streamae-ttd").toString()), metrics.badRecordsCounter());
        props.remove(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        driver = new TopologyTestDriver(TrainerTopology.build(settings, FakeAutoencoder.factory(), metrics,
                TrainingProcessor.StepThread.CALLER), props);
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        models = driver.createOutputTopic(Topics.MODELS, new StringDeserializer(), new ByteArrayDeserializer());
        history = driver.createOutputTopic(Topics.MODEL_HISTORY, new StringDeserializer(), new ByteArrayDeserializer());
        metricsTopic = driver.createOutputTopic(Topics.TRAINING_METRICS, new StringDeserializer(),
                JsonSerde.of(TrainingMetrics.class).deserializer());
        dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** {@code n} images of {@code model} (null: none named), each pixel {@code value}. */
    private void images(String model, int n, float value) {
        for (int i = 0; i < n; i++) {
            String id = (model == null ? "default" : model) + "-" + i + "-" + value;
            String modelField = model == null ? "" : ",\"model\":\"" + model + "\"";
            images.pipeInput(id, bytes("{\"id\":\"" + id + "\",\"pixels\":[" + value + "," + value + "," + value + ","
                    + value + "]" + modelField + "}"));
        }
    }

    private static Snapshot decode(byte[] bytes) {
        return SnapshotCodec.unsigned().decode(bytes);
    }

    /** The last snapshot each model published, by key. */
    private Map<String, Snapshot> lastSnapshots() {
        Map<String, Snapshot> last = new HashMap<>();
        for (var kv : models.readKeyValuesToList()) {
            last.put(kv.key, decode(kv.value));
        }
        return last;
    }

    @Test
    void eachModelLearnsOnlyItsOwnImagesAndPublishesUnderItsName() throws Exception {
        start(Map.of());
        for (int round = 0; round < 3; round++) {  // interleaved, so that lanes fill batches side by side
            images("line-1", 8, 0.1f);
            images("line-2", 4, 0.9f);
            images(null, 4, 0.5f);
        }
        driver.advanceWallClockTime(Duration.ofMillis(1600));  // partial batches trained, publish interval passed

        Map<String, Snapshot> last = lastSnapshots();
        assertThat(last).containsOnlyKeys("line-1", "line-2", SETTINGS.modelName());
        assertThat(last.get("line-1").examplesSeen()).isEqualTo(24);
        assertThat(last.get("line-2").examplesSeen()).isEqualTo(12);
        assertThat(last.get(SETTINGS.modelName()).examplesSeen()).isEqualTo(12);
        last.forEach((key, snapshot) -> assertThat(snapshot.modelName()).as("snapshot under its own key").isEqualTo(key));
        // The fake model's weights move towards the mean pixel it learnt: each model saw only its own.
        assertThat(last.get("line-1").toModelState().parameters()[0]).isLessThan(0.3f);
        assertThat(last.get("line-2").toModelState().parameters()[0]).isGreaterThan(0.7f);

        Map<String, Long> versions = metricsTopic.readValuesToList().stream()
                .collect(Collectors.toMap(TrainingMetrics::model, TrainingMetrics::modelVersion, Math::max));
        assertThat(versions).containsOnlyKeys("line-1", "line-2", SETTINGS.modelName());
        assertThat(versions.get("line-1")).as("versions count per model").isEqualTo(last.get("line-1").modelVersion());
        assertThat(metrics.examplesTrained("line-1")).isEqualTo(24);
        assertThat(metrics.examplesTrained()).isEqualTo(48);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void aModelBeyondModelsMaxIsDeadLetteredWithItsReasonAndTheOthersTrain() throws Exception {
        start(Map.of("models.max", "2"));  // the default model and one more
        images("line-1", 8, 0.2f);
        images("line-2", 3, 0.8f);
        images(null, 8, 0.5f);
        driver.advanceWallClockTime(Duration.ofMillis(1600));

        assertThat(lastSnapshots()).containsOnlyKeys("line-1", SETTINGS.modelName());
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(3);
        assertThat(dead).allSatisfy(d -> {
            assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("line-2");
            assertThat(header(d, "__streams.errors.message")).contains("model 'line-2' is beyond models.max=2");
        });
        assertThat(metrics.badRecords()).isEqualTo(3);
        assertThat(metrics.examplesTrained()).isEqualTo(16);
    }

    @Test
    void invalidModelNamesAreRefusedBeforeTraining() throws Exception {
        start(Map.of("models.allowed", "streamae,line-1"));
        images("line-1", 4, 0.2f);
        images("line-9", 2, 0.2f);    // not allowed
        images("bad name", 2, 0.2f);  // not a name
        driver.advanceWallClockTime(Duration.ofMillis(1600));

        assertThat(lastSnapshots()).containsOnlyKeys("line-1");
        assertThat(metrics.examplesTrained()).isEqualTo(4);
        assertThat(metrics.badRecords()).as("counted, and left to the scorer to dead-letter").isEqualTo(4);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void anIdleModelLeavesMemoryAndComesBackWhereItWas() throws Exception {
        start(Map.of("models.idle.evict.ms", "5000"));
        images("line-1", 10, 0.2f);
        images("line-2", 8, 0.8f);
        driver.advanceWallClockTime(Duration.ofMillis(1600));
        assertThat(resident()).isEqualTo(2);
        for (int i = 0; i < 5; i++) {  // line-2 stays busy, line-1 goes idle
            images("line-2", 4, 0.8f);
            driver.advanceWallClockTime(Duration.ofMillis(1000));
        }
        assertThat(resident()).as("line-1 evicted").isEqualTo(1);
        KeyValueStore<byte[], byte[]> pending = driver.getKeyValueStore(TrainingProcessor.PENDING_STORE);
        assertThat(keysOf(pending)).as("an evicted model's logged examples are deleted").noneMatch(k -> k.startsWith("line-1"));

        images("line-1", 6, 0.2f);
        driver.advanceWallClockTime(Duration.ofMillis(1600));
        Map<String, Snapshot> last = lastSnapshots();
        assertThat(resident()).isEqualTo(2);
        assertThat(last.get("line-1").examplesSeen()).as("restored from its checkpoint, each image once").isEqualTo(16);
        assertThat(last.get("line-2").examplesSeen()).isEqualTo(28);
    }

    @Test
    void publishedVersionsAreKeptForRollbackUpToTheConfiguredNumber() throws Exception {
        start(Map.of("models.history.versions", "2", "models.history.interval.ms", "0"));
        images("line-1", 8 * 4, 0.3f);  // 8 steps, a version every 2

        List<TestRecord<String, byte[]>> kept = history.readRecordsToList();
        assertThat(kept).extracting(TestRecord::key).containsExactly("line-1@1", "line-1@2", "line-1@3", "line-1@1",
                "line-1@4", "line-1@2");
        assertThat(kept).extracting(r -> r.value() == null).containsExactly(false, false, false, true, false, true);
        assertThat(decode(kept.get(4).value()).modelVersion()).isEqualTo(4);
        assertThat(decode(kept.get(4).value()).modelName()).isEqualTo("line-1");
    }

    @Test
    void theDefaultIntervalKeepsTheFirstVersionOnly() throws Exception {
        start(Map.of());
        images("line-1", 8 * 4, 0.3f);
        assertThat(history.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("line-1@1");
    }

    private double resident() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("models-resident"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static List<String> keysOf(KeyValueStore<byte[], byte[]> store) {
        List<String> keys = new java.util.ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(new String(kv.key, StandardCharsets.UTF_8)));
        }
        return keys;
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
