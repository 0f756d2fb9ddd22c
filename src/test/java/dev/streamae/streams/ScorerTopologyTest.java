package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.pixelsJson;
import static dev.streamae.streams.TopologyTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScorerTopologyTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> images;
    private TestInputTopic<String, byte[]> models;
    private TestOutputTopic<String, ScoreRecord> scores;
    private TestOutputTopic<String, ScoreRecord> alerts;
    private TestOutputTopic<byte[], byte[]> dlq;
    private ModelRegistry registry;
    private ScorerMetrics metrics;
    private AtomicLong badRecords;

    @BeforeEach
    void start() {
        start(SETTINGS);
    }

    private void start(StreamAeSettings settings) {
        registry = new ModelRegistry(settings, FakeAutoencoder.factory());
        metrics = new ScorerMetrics();
        badRecords = metrics.badRecordsCounter();
        driver = new TopologyTestDriver(ScorerTopology.build(settings, registry, metrics),
                TopologyTestSupport.driverProperties("scorer-test", badRecords, true));
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic(Topics.MODELS, new StringSerializer(), new ByteArraySerializer());
        JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
        scores = driver.createOutputTopic(Topics.IMAGE_SCORES, new StringDeserializer(), serde.deserializer());
        alerts = driver.createOutputTopic(Topics.ANOMALY_ALERTS, new StringDeserializer(), serde.deserializer());
        dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void image(String id, float... pixels) {
        images.pipeInput(id, bytes(pixelsJson(id, pixels)));
    }

    private void tick() {
        driver.advanceWallClockTime(Duration.ofMillis(25));
    }

    @Test
    void scoresWithoutAModelAsNoModelAndNeverAlerts() {
        image("a", 0, 0, 0, 0);
        image("b", 1, 1, 1, 1);
        tick();

        List<ScoreRecord> out = scores.readValuesToList();
        assertThat(out).extracting(ScoreRecord::id).containsExactly("a", "b");
        assertThat(out).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo(ScoreRecord.Status.NO_MODEL);
            assertThat(s.anomaly()).isFalse();
            assertThat(s.error()).isNull();
        });
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void projectMetricsAreRegisteredBesideKafkaStreamsMetrics() {
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 4, 100, 0.05, 0.1f));
        image("a", 0.1f, 0.1f, 0.1f, 0.1f);
        image("b", 1, 1, 1, 1);
        images.pipeInput("bad", bytes("{"));
        tick();

        Map<String, Double> ours = new java.util.HashMap<>();
        driver.metrics().forEach((name, metric) -> {
            if (name.group().equals(TaskSensors.SCORER_GROUP)) {
                ours.merge(name.name(), ((Number) metric.metricValue()).doubleValue(), Double::sum);
            }
        });
        assertThat(ours).containsEntry("images-scored-total", 2.0)
                .containsEntry("anomalies-total", 1.0)
                .containsEntry("model-version", 4.0)
                .containsEntry("bad-records-total", 1.0)
                .containsKeys("images-scored-rate", "score-latency-ms-avg", "score-latency-ms-max", "batch-size-avg",
                        "model-age-ms", "rejected-snapshots-total");
    }

    @Test
    void acceptsPngAndU8Encodings() {
        float[] pixels = {0f, 0.5f, 1f, 0.25f};
        images.pipeInput("png", bytes("{\"id\":\"png\",\"png\":\""
                + dev.streamae.image.ImageDecoder.encodePng(pixels, 2, 2) + "\",\"width\":2,\"height\":2}"));
        images.pipeInput("u8", bytes("{\"id\":\"u8\",\"u8\":\"" + dev.streamae.image.ImageDecoder.encodeU8(pixels) + "\"}"));
        tick();
        assertThat(scores.readKeyValuesToMap()).containsOnlyKeys("png", "u8");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void batchesUntilFullOrTheDelayPasses() {
        image("1", 0, 0, 0, 0);
        image("2", 0, 0, 0, 0);
        image("3", 0, 0, 0, 0);
        assertThat(scores.isEmpty()).as("3 of 4 buffered, no tick yet").isTrue();
        image("4", 0, 0, 0, 0);
        assertThat(scores.readKeyValuesToList()).hasSize(4);
        image("5", 0, 0, 0, 0);
        assertThat(scores.isEmpty()).isTrue();
        tick();
        assertThat(scores.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("5");
    }

    @Test
    void warmingUpModelScoresButDoesNotAlert() {
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 1, 4, 0.05, 0.1f));
        image("bright", 1, 1, 1, 1);
        tick();

        ScoreRecord s = scores.readValue();
        assertThat(s.status()).isEqualTo(ScoreRecord.Status.WARMING_UP);
        assertThat(s.error()).isGreaterThan(0.05);
        assertThat(s.anomaly()).isFalse();
        assertThat(s.modelVersion()).isEqualTo(1);
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void readyModelAlertsOnImagesAboveTheThresholdAndPassesLabelsThrough() {
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 3, 100, 0.05, 0.1f));
        images.pipeInput("dark", bytes("{\"id\":\"dark\",\"pixels\":[0.1,0.1,0.1,0.1],\"label\":7}"));
        images.pipeInput("bright", bytes("{\"id\":\"bright\",\"pixels\":[1,1,1,1],\"label\":42}"));
        tick();

        Map<String, ScoreRecord> byId = scores.readKeyValuesToMap();
        assertThat(byId.get("dark").anomaly()).isFalse();
        assertThat(byId.get("dark").label()).isEqualTo(Label.of(7));
        assertThat(byId.get("dark").pValue()).isGreaterThan(SETTINGS.falseAlarmRate());
        assertThat(byId.get("bright").anomaly()).isTrue();
        assertThat(byId.get("bright").status()).isEqualTo(ScoreRecord.Status.READY);
        assertThat(byId.get("bright").code()).hasSize(2);
        assertThat(byId.get("bright").threshold()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(byId.get("bright").pValue()).isLessThan(SETTINGS.falseAlarmRate());
        assertThat(byId.get("bright").model()).isEqualTo(SETTINGS.modelName());
        List<ScoreRecord> fired = alerts.readValuesToList();
        assertThat(fired).extracting(ScoreRecord::id).containsExactly("bright");
        assertThat(fired.get(0).label()).isEqualTo(Label.of(42));
        assertThat(metrics.anomalies()).isEqualTo(1);
        assertThat(metrics.imagesScored()).isEqualTo(2);
        assertThat(metrics.meanLatencyMs()).isNotNegative();
    }

    /** What a verdict on {@code feedback} copies: the image's own partition and offset, bad records between them. */
    @Test
    void scoresCarryTheirImagesPartitionAndOffset() {
        image("first", 0, 0, 0, 0);
        images.pipeInput("bad", bytes("{\"id\":\"bad\",\"pixels\":[0]}"));
        image("third", 0, 0, 0, 0);
        tick();
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 3, 100, 0.05, 0.1f));
        image("fourth", 1, 1, 1, 1);
        tick();

        Map<String, ScoreRecord> byId = scores.readKeyValuesToMap();
        assertThat(byId).containsOnlyKeys("first", "third", "fourth");
        assertThat(byId.values()).allSatisfy(s -> assertThat(s.partition()).isZero());
        assertThat(byId.get("first").offset()).isEqualTo(0L);
        assertThat(byId.get("third").offset()).isEqualTo(2L);
        assertThat(byId.get("fourth").offset()).isEqualTo(3L);
        assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo("fourth");
            assertThat(a.offset()).isEqualTo(3L);
        });
    }

    @Test
    void swapsToANewerModelWithoutRestartAndIgnoresOlderOnes() {
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 1, 100, 0.05, 0.0f));
        image("x", 1, 1, 1, 1);
        tick();
        assertThat(scores.readValue().anomaly()).as("model 1 has learnt dark images").isTrue();

        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 2, 200, 0.05, 1.0f));
        image("y", 1, 1, 1, 1);
        tick();
        ScoreRecord y = scores.readValue();
        assertThat(y.modelVersion()).isEqualTo(2);
        assertThat(y.anomaly()).as("model 2 has learnt bright images").isFalse();

        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 1, 100, 0.05, 0.0f));
        image("z", 1, 1, 1, 1);
        tick();
        assertThat(scores.readValue().modelVersion()).isEqualTo(2);
        assertThat(registry.rejectedSnapshots()).isEqualTo(1);
    }

    @Test
    void rejectsGarbageAndWrongShapeSnapshotsAndKeepsScoringWithTheCurrentModel() {
        models.pipeInput(SETTINGS.modelName(), snapshot(SETTINGS, 5, 100, 0.05, 0.5f));
        StreamAeSettings otherShape = SETTINGS.with(Map.of("model.layers", "4-2-1"));
        models.pipeInput(SETTINGS.modelName(), snapshot(otherShape, 6, 100, 0.05, 0.5f));
        models.pipeInput(SETTINGS.modelName(), "not a snapshot".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = snapshot(SETTINGS, 7, 100, 0.05, 0.5f);
        models.pipeInput(SETTINGS.modelName(), java.util.Arrays.copyOf(truncated, truncated.length / 2));
        models.pipeInput("another-model", snapshot(SETTINGS, 9, 100, 0.05, 0.5f));
        image("after", 0.5f, 0.5f, 0.5f, 0.5f);
        tick();

        assertThat(scores.readValue().modelVersion()).isEqualTo(5);
        assertThat(registry.rejectedSnapshots()).as("wrong shape, garbage, truncated, under another model's key")
                .isEqualTo(4);
        assertThat(registry.newest("another-model")).isNull();
        assertThat(driver.<String, byte[]>getKeyValueStore(ModelUpdateProcessor.STORE).get(SETTINGS.modelName()))
                .isNotNull();
    }

    @Test
    void everyBadRecordGoesToTheDeadLetterQueueWithAReasonAndProcessingGoesOn() {
        Map<String, String> bad = Map.of(
                "json", "{not json",
                "none", "{\"id\":\"none\"}",
                "two", "{\"id\":\"two\",\"pixels\":[0,0,0,0],\"u8\":\"AAAAAA==\"}",
                "short", "{\"id\":\"short\",\"pixels\":[0,0,0]}",
                "range", "{\"id\":\"range\",\"pixels\":[0,0,0,2]}",
                "base64", "{\"id\":\"base64\",\"u8\":\"***\"}",
                "png", "{\"id\":\"png\",\"png\":\"AAAA\"}",
                "unknown", "{\"id\":\"unknown\",\"pixels\":[0,0,0,0],\"colour\":1}",
                "nan", "{\"id\":\"nan\",\"pixels\":[0,0,0,NaN]}",
                "time", "{\"id\":\"time\",\"pixels\":[0,0,0,0],\"timestamp\":-5}");
        bad.forEach((id, json) -> images.pipeInput(id, bytes(json)));
        image("good", 0, 0, 0, 0);
        tick();

        assertThat(scores.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("good");
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(bad.size());
        for (TestRecord<byte[], byte[]> r : dead) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).as("raw value kept").isEqualTo(bad.get(key));
            Header reason = r.headers().lastHeader("__streams.errors.message");
            assertThat(reason).as("reason header of " + key).isNotNull();
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
        }
        assertThat(badRecords.get()).isEqualTo(bad.size());
    }

    @Test
    void deadLetterReasonsNameTheProblem() {
        images.pipeInput("short", bytes("{\"id\":\"short\",\"pixels\":[0,0,0]}"));
        images.pipeInput("json", bytes("{not json"));
        Map<String, String> reasons = new java.util.HashMap<>();
        for (TestRecord<byte[], byte[]> r : dlq.readRecordsToList()) {
            reasons.put(new String(r.key(), StandardCharsets.UTF_8),
                    new String(r.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8));
        }
        assertThat(reasons.get("short")).contains("3").contains("4");
        assertThat(reasons.get("json")).contains("ImageRecord");
    }
}
