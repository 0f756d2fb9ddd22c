package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scorer with many models: each image is scored by its own model's snapshot (one forward pass
 * per model in a batch, scores in the images' order), the fallback model scores models without one
 * and is named in {@code scoredBy}, a pin on {@code model-control} is served instead of newer
 * snapshots until a tombstone unpins it, and snapshots under another model's key, or images naming
 * a model that is not allowed, are refused. The fake model reconstructs every image as its learnt
 * brightness, so a bright image's error tells which snapshot scored it: about 1 for a dark model,
 * 0 for a bright one.
 */
class ScorerModelsTopologyTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> images;
    private TestInputTopic<String, byte[]> models;
    private TestInputTopic<String, byte[]> control;
    private TestOutputTopic<String, ScoreRecord> scores;
    private TestOutputTopic<byte[], byte[]> dlq;
    private ModelRegistry registry;

    /** Networks the registry created. */
    private final java.util.concurrent.atomic.AtomicInteger networks = new java.util.concurrent.atomic.AtomicInteger();

    private void start(StreamAeSettings settings) {
        registry = new ModelRegistry(settings, (architecture, metric) -> {
            networks.incrementAndGet();
            return FakeAutoencoder.factory().create(architecture, metric);
        });
        ScorerMetrics metrics = new ScorerMetrics();
        driver = new TopologyTestDriver(ScorerTopology.build(settings, registry, metrics),
                TopologyTestSupport.driverProperties("scorer-models-test", metrics.badRecordsCounter(), true));
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic(Topics.MODELS, new StringSerializer(), new ByteArraySerializer());
        control = driver.createInputTopic(Topics.MODEL_CONTROL, new StringSerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(Topics.IMAGE_SCORES, new StringDeserializer(),
                JsonSerde.of(ScoreRecord.class).deserializer());
        dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    /** A bright 2x2 image of {@code model} (null: none named). */
    private void bright(String id, String model) {
        images.pipeInput(id, bytes("{\"id\":\"" + id + "\",\"pixels\":[1,1,1,1]"
                + (model == null ? "" : ",\"model\":\"" + model + "\"") + "}"));
    }

    private void tick() {
        driver.advanceWallClockTime(Duration.ofMillis(25));
    }

    private ScoreRecord scoreOf(String model) {
        bright("probe-" + model, model);
        tick();
        return scores.readValue();
    }

    @Test
    void eachImageIsScoredByItsOwnModelsSnapshotInOneBatch() {
        start(SETTINGS);
        models.pipeInput("cam-dark", snapshot(SETTINGS, "cam-dark", 3, 100, 0.05, 0f));
        models.pipeInput("cam-bright", snapshot(SETTINGS, "cam-bright", 7, 100, 0.05, 1f));
        bright("1", "cam-dark");
        bright("2", "cam-bright");
        bright("3", "cam-none");
        bright("4", "cam-dark");  // a full batch of three models, scored at once

        List<ScoreRecord> out = scores.readValuesToList();
        assertThat(out).extracting(ScoreRecord::id).as("in the images' order").containsExactly("1", "2", "3", "4");
        assertThat(out).extracting(ScoreRecord::model).containsExactly("cam-dark", "cam-bright", "cam-none", "cam-dark");
        assertThat(out).extracting(ScoreRecord::modelVersion).containsExactly(3L, 7L, 0L, 3L);
        assertThat(out.get(0).error()).isGreaterThan(0.9);
        assertThat(out.get(1).error()).isLessThan(0.1);
        assertThat(out.get(2).status()).as("no fallback configured").isEqualTo(ScoreRecord.Status.NO_MODEL);
        assertThat(out).allSatisfy(s -> {
            assertThat(s.scoredBy()).isNull();
            assertThat(s.pinned()).isNull();
        });
        assertThat(scoreOf(null).status()).as("the default model has no snapshot either")
                .isEqualTo(ScoreRecord.Status.NO_MODEL);
    }

    /**
     * More models than a thread keeps networks for: each image is still scored by its own model's
     * parameters (an evicted network is reused and reloaded, never left holding another model's),
     * and the thread never holds more than its bound.
     */
    @Test
    void aThreadKeepsABoundedNumberOfNetworksAndEachModelIsScoredByItsOwn() {
        StreamAeSettings settings = SETTINGS.with(java.util.Map.of("models.max", "6"));
        start(settings);
        int count = 6 + 4;
        for (int m = 0; m < count; m++) {
            // Model m has learnt brightness m / count: a bright image's error tells which model scored it.
            models.pipeInput("cam-" + m, snapshot(SETTINGS, "cam-" + m, m + 1, 100, 0.05, (float) m / count));
        }
        for (int round = 0; round < 2; round++) {
            for (int m = 0; m < count; m++) {
                ScoreRecord s = scoreOf("cam-" + m);
                double gap = 1 - (double) m / count;
                assertThat(s.modelVersion()).isEqualTo(m + 1);
                assertThat(s.error()).as("cam-" + m + " in round " + round).isCloseTo(gap * gap,
                        org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        assertThat(networks.get()).as("models.max networks per thread").isEqualTo(6);
    }

    @Test
    void theFallbackModelScoresModelsWithoutASnapshotAndIsNamed() {
        StreamAeSettings settings = SETTINGS.with(Map.of("models.fallback", "shared"));
        start(settings);
        assertThat(scoreOf("cam-new").status()).as("no snapshot of either yet").isEqualTo(ScoreRecord.Status.NO_MODEL);

        models.pipeInput("shared", snapshot(settings, "shared", 4, 100, 0.05, 0f));
        ScoreRecord byFallback = scoreOf("cam-new");
        assertThat(byFallback.model()).isEqualTo("cam-new");
        assertThat(byFallback.scoredBy()).isEqualTo("shared");
        assertThat(byFallback.modelVersion()).isEqualTo(4);
        assertThat(byFallback.error()).isGreaterThan(0.9);
        ScoreRecord own = scoreOf("shared");
        assertThat(own.scoredBy()).as("the fallback's own images").isNull();
        assertThat(own.modelVersion()).isEqualTo(4);

        models.pipeInput("cam-new", snapshot(settings, "cam-new", 1, 100, 0.05, 1f));
        ScoreRecord byOwn = scoreOf("cam-new");
        assertThat(byOwn.scoredBy()).isNull();
        assertThat(byOwn.modelVersion()).isEqualTo(1);
        assertThat(byOwn.error()).isLessThan(0.1);
    }

    @Test
    void aPinIsServedInsteadOfNewerSnapshotsUntilATombstoneUnpinsIt() {
        start(SETTINGS);
        String name = SETTINGS.modelName();
        byte[] version1 = snapshot(SETTINGS, 1, 100, 0.05, 0f);
        models.pipeInput(name, version1);
        models.pipeInput(name, snapshot(SETTINGS, 2, 200, 0.05, 1f));
        assertThat(scoreOf(null).modelVersion()).isEqualTo(2);

        control.pipeInput(name, version1);
        ScoreRecord pinned = scoreOf(null);
        assertThat(pinned.modelVersion()).isEqualTo(1);
        assertThat(pinned.pinned()).isTrue();
        assertThat(pinned.error()).as("scored by version 1's parameters").isGreaterThan(0.9);
        assertThat(gauge("model-version")).as("the default model's served version").isEqualTo(1.0);

        models.pipeInput(name, snapshot(SETTINGS, 3, 300, 0.05, 1f));
        assertThat(scoreOf(null).modelVersion()).as("a newer snapshot does not end the pin").isEqualTo(1);
        assertThat(registry.newest(name).modelVersion()).isEqualTo(3);

        control.pipeInput(name, (byte[]) null);
        ScoreRecord unpinned = scoreOf(null);
        assertThat(unpinned.modelVersion()).isEqualTo(3);
        assertThat(unpinned.pinned()).isNull();
        assertThat(unpinned.error()).isLessThan(0.1);
        assertThat(driver.<String, byte[]>getKeyValueStore(ModelUpdateProcessor.CONTROL_STORE).get(name)).isNull();
    }

    @Test
    void snapshotsUnderAnotherModelsKeyAndUnfitPinsAreRejected() {
        start(SETTINGS);
        models.pipeInput("cam-a", snapshot(SETTINGS, "cam-a", 5, 100, 0.05, 0f));
        byte[] ofB = snapshot(SETTINGS, "cam-b", 9, 100, 0.05, 1f);
        models.pipeInput("cam-a", ofB);
        control.pipeInput("cam-a", ofB);
        control.pipeInput("cam-a", "not a snapshot".getBytes(StandardCharsets.UTF_8));
        control.pipeInput("cam-a", snapshot(SETTINGS.with(Map.of("model.layers", "4-2-1")), "cam-a", 2, 100, 0.05, 0f));

        ScoreRecord a = scoreOf("cam-a");
        assertThat(a.modelVersion()).isEqualTo(5);
        assertThat(a.pinned()).isNull();
        assertThat(registry.rejectedSnapshots()).isEqualTo(4);
        assertThat(registry.served("cam-b")).isNull();
        assertThat(driver.<String, byte[]>getKeyValueStore(ModelUpdateProcessor.CONTROL_STORE).get("cam-a")).isNull();
    }

    @Test
    void imagesNamingAnInvalidOrNotAllowedModelGoToTheDeadLetterQueue() {
        start(SETTINGS.with(Map.of("models.allowed", SETTINGS.modelName() + ",cam-a")));
        bright("allowed", "cam-a");
        bright("other", "cam-z");
        bright("bad-name", "../etc");
        tick();

        assertThat(scores.readValuesToList()).extracting(ScoreRecord::id).containsExactly("allowed");
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("other", "bad-name");
        assertThat(reason(dead.get(0))).contains("cam-z").contains("models.allowed");
        assertThat(reason(dead.get(1))).contains("may only hold");
    }

    private static String reason(TestRecord<byte[], byte[]> dead) {
        return new String(dead.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8);
    }

    private double gauge(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(TaskSensors.SCORER_GROUP) && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).max().orElse(Double.NaN);
    }
}
