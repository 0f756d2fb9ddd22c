package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.pixelsJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer topology with operators' verdicts on {@code feedback}, under the trainer's production
 * Streams properties ({@link StreamsProperties#trainer}: its handlers and dead-letter settings), the
 * {@link FakeAutoencoder} and a fake {@link ImageLookup} that holds exactly what the test piped to
 * {@code images}, at the offsets the driver gave it.
 *
 * <p>The model is first taught dark images until it is calibrated and warmed up, then shown four
 * bright ones, which it flags and does not learn ({@link #brightImagesSkipped}): the verdicts are
 * about those.
 */
class FeedbackTopologyTest {

    private static final StreamAeSettings TRAINING = SETTINGS.with(Map.of("publish.every.steps", "1"));
    /** The offset of the first bright image: after the 240 dark ones. */
    private static final int BRIGHT = 240;

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> images;
    private TestInputTopic<String, byte[]> feedback;
    private TestOutputTopic<String, TrainingMetrics> metricsTopic;
    private TestOutputTopic<byte[], byte[]> dlq;
    private final TrainerMetrics metrics = new TrainerMetrics();
    private FakeAutoencoder model;
    private final FakeImageLookup lookup = new FakeImageLookup();

    /**
     * The trainer's own properties, at least once: under {@code exactly_once_v2} the driver drops the
     * dead letters of the deserialization handler (on a real broker they are written in the
     * transaction; {@code FeedbackEndToEndTest} has them).
     */
    private Properties trainerProperties(String dir) throws java.io.IOException {
        Properties props = StreamsProperties.trainer("unused:9092", Map.of("state.dir",
                Files.createDirectories(stateDir.resolve(dir)).toString()), metrics.badRecordsCounter());
        props.remove(org.apache.kafka.streams.StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        return props;
    }

    @BeforeEach
    void start() throws Exception {
        Properties props = trainerProperties("state");
        ModelFactory factory = (architecture, metric) -> model = new FakeAutoencoder(architecture, metric);
        driver = new TopologyTestDriver(TrainerTopology.build(TRAINING, factory, metrics,
                TrainingProcessor.StepThread.CALLER, lookup.opener()), props);
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        feedback = driver.createInputTopic(Topics.FEEDBACK, new StringSerializer(), new ByteArraySerializer());
        metricsTopic = driver.createOutputTopic(Topics.TRAINING_METRICS, new org.apache.kafka.common.serialization
                .StringDeserializer(), JsonSerde.of(TrainingMetrics.class).deserializer());
        dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void image(String id, byte[] json) {
        lookup.pipe(images, id, json, 1_000 + lookup.nextOffset());
    }

    private void image(String id, float value) {
        image(id, bytes(pixelsJson(id, value, value, value, value)));
    }

    /** 240 dark images (calibrated, warmed up, all learnt), then 4 bright ones the model flags and skips. */
    private void brightImagesSkipped() {
        for (int i = 0; i < BRIGHT; i++) {
            image("dark-" + i, 0.0f);
        }
        for (int i = 0; i < 4; i++) {
            image("bright-" + i, 1.0f);
        }
        assertThat(metrics.examplesTrained()).isEqualTo(BRIGHT);
        assertThat(metrics.skippedAnomalies()).isEqualTo(4);
    }

    private static String verdictJson(String id, String verdict, long offset) {
        return "{\"id\":\"" + id + "\",\"verdict\":\"" + verdict + "\",\"partition\":0,\"offset\":" + offset + "}";
    }

    private void verdict(String id, String verdict, long offset) {
        feedback.pipeInput(id, bytes(verdictJson(id, verdict, offset)));
    }

    /** Lets the partial batch holding the verdicts train, then the publish interval pass. */
    private TrainingMetrics trainAndPublish() {
        driver.advanceWallClockTime(Duration.ofMillis(600));
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        List<TrainingMetrics> records = metricsTopic.readValuesToList();
        assertThat(records).as("a publish").isNotEmpty();
        return records.get(records.size() - 1);
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private double rejectedSensorTotal() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("feedback-rejected-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void aNormalVerdictOnAFlaggedImageIsLearntOnceWhateverItsError() {
        brightImagesSkipped();
        float meanBefore = model.learntMean();
        assertThat(lookup.opened()).as("no lookup before the first verdict").isZero();

        verdict("bright-1", "normal", BRIGHT + 1);
        TrainingMetrics last = trainAndPublish();

        assertThat(metrics.examplesTrained()).isEqualTo(BRIGHT + 1);
        assertThat(model.examplesLearnt()).isEqualTo(BRIGHT + 1);
        assertThat(model.learntMean()).as("the bright image was learnt").isGreaterThan(meanBefore);
        assertThat(metrics.verdictsNormal()).isEqualTo(1);
        assertThat(metrics.verdictsAnomaly()).isZero();
        assertThat(last.examplesSeen()).isEqualTo(BRIGHT + 1);
        assertThat(last.feedbackNormal()).isEqualTo(1);
        assertThat(last.feedbackAnomaly()).isZero();
        assertThat(last.precision()).isEqualTo(0.0);
        assertThat(last.skippedAnomalies()).as("the verdict is no stream image").isEqualTo(4);
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(lookup.opened()).isEqualTo(1);
    }

    @Test
    void anAnomalyVerdictIsCountedAndNeverLearnt() {
        brightImagesSkipped();
        verdict("bright-2", "anomaly", BRIGHT + 2);
        for (int i = 0; i < 4; i++) {
            image("after-" + i, 0.0f);
        }
        TrainingMetrics last = trainAndPublish();

        assertThat(metrics.verdictsAnomaly()).isEqualTo(1);
        assertThat(metrics.verdictsNormal()).isZero();
        assertThat(metrics.examplesTrained()).as("only the 4 dark images after it").isEqualTo(BRIGHT + 4);
        assertThat(model.examplesLearnt()).isEqualTo(BRIGHT + 4);
        assertThat(model.learntMean()).as("nothing bright was learnt").isEqualTo(0.0f);
        assertThat(last.feedbackAnomaly()).isEqualTo(1);
        assertThat(last.feedbackNormal()).isZero();
        assertThat(last.precision()).isEqualTo(1.0);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void aRepeatedVerdictIsDeadLetteredOnceWithItsReasonAndAppliedOnce() {
        brightImagesSkipped();
        verdict("bright-0", "normal", BRIGHT);
        verdict("bright-0", "normal", BRIGHT);
        verdict("bright-0", "anomaly", BRIGHT);
        TrainingMetrics last = trainAndPublish();

        assertThat(metrics.verdictsNormal()).isEqualTo(1);
        assertThat(metrics.verdictsAnomaly()).isZero();
        assertThat(metrics.examplesTrained()).isEqualTo(BRIGHT + 1);
        assertThat(last.feedbackNormal()).isEqualTo(1);
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(dead).allSatisfy(d -> {
            assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("bright-0");
            assertThat(header(d, "__streams.errors.message")).startsWith("image \"bright-0\" already had a verdict "
                    + "applied (normal, for images-0 offset 240, applied at ");
            assertThat(header(d, "__streams.errors.topic")).isEqualTo(Topics.FEEDBACK);
        });
        assertThat(dead).extracting(d -> header(d, "__streams.errors.offset")).containsExactly("1", "2");
        assertThat(new String(dead.get(1).value(), StandardCharsets.UTF_8)).isEqualTo(verdictJson("bright-0", "anomaly", BRIGHT));
        assertThat(metrics.badRecords()).isEqualTo(2);
        assertThat(rejectedSensorTotal()).isEqualTo(2);
    }

    /**
     * Each kind of verdict that cannot be applied gives exactly one dead letter, with the raw record
     * and a reason naming the problem, and is counted; a bad image on {@code images} is counted but
     * left to the scorer's dead-letter queue; a good verdict after them all is applied.
     */
    @Test
    void everyBadVerdictGivesOneDeadLetterWithItsReasonAndTheStreamGoesOn() {
        brightImagesSkipped();
        image("broken", bytes("{\"id\":\"broken\",\"pixels\":[0,0]}"));  // offset 244: not a valid image
        record Bad(String key, String value, String exception, String reason) {
        }
        String serde = "org.apache.kafka.common.errors.SerializationException";
        String refused = InvalidFeedbackException.class.getName();
        List<Bad> bad = List.of(
                new Bad("json", "{not json", serde, "not a valid FeedbackRecord JSON record"),
                new Bad("maybe", "{\"id\":\"maybe\",\"verdict\":\"maybe\",\"partition\":0,\"offset\":1}", serde,
                        "verdict must be \"normal\" or \"anomaly\", got maybe"),
                new Bad("typed", "{\"id\":\"typed\",\"verdict\":\"normal\",\"partition\":0,\"offset\":\"1\"}", serde,
                        "not a valid FeedbackRecord JSON record"),
                new Bad("extra", "{\"id\":\"extra\",\"verdict\":\"normal\",\"partition\":0,\"offset\":1,\"note\":\"x\"}",
                        serde, "Unrecognized field \"note\""),
                new Bad("null", null, refused, "empty record (null value)"),
                new Bad("no-id", "{\"verdict\":\"normal\",\"partition\":0,\"offset\":1}", refused, "missing id"),
                new Bad("other-key", verdictJson("dark-1", "normal", 1), refused,
                        "the key \"other-key\" is not the id \"dark-1\": key each verdict by its image id"),
                new Bad("no-verdict", "{\"id\":\"no-verdict\",\"partition\":0,\"offset\":1}", refused, "missing verdict"),
                new Bad("no-offset", "{\"id\":\"no-offset\",\"verdict\":\"normal\",\"partition\":0}", refused,
                        "missing offset: copy partition and offset from the image's score"),
                new Bad("no-partition", "{\"id\":\"no-partition\",\"verdict\":\"normal\",\"offset\":1}", refused,
                        "missing partition"),
                new Bad("negative", verdictJson("negative", "normal", -1), refused, "cannot be negative"),
                new Bad("unknown", verdictJson("unknown", "normal", 2), refused,
                        "unknown id \"unknown\": images-0 offset 2 holds image \"dark-2\""),
                new Bad("past-end", verdictJson("past-end", "anomaly", 100_000), refused,
                        "no image at images-0 offset 100000: the partition ends at offset 245"),
                new Bad("seven", "{\"id\":\"seven\",\"verdict\":\"normal\",\"partition\":7,\"offset\":1}", refused,
                        "there is no partition 7"),
                new Bad("broken", verdictJson("broken", "normal", BRIGHT + 4), refused,
                        "the record at images-0 offset 244 is no valid image (so it was never scored): "
                                + "pixels has 2 values, the model expects 4 (2x2)"));
        for (Bad b : bad) {
            feedback.pipeInput(b.key(), b.value() == null ? null : bytes(b.value()));
        }
        verdict("bright-3", "normal", BRIGHT + 3);
        trainAndPublish();

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).as("one dead letter per bad verdict, none for the bad image").hasSize(bad.size());
        Map<String, TestRecord<byte[], byte[]>> byKey = new LinkedHashMap<>();
        dead.forEach(d -> byKey.put(new String(d.key(), StandardCharsets.UTF_8), d));
        assertThat(byKey.keySet()).containsExactlyElementsOf(bad.stream().map(Bad::key).toList());
        for (int i = 0; i < bad.size(); i++) {
            Bad b = bad.get(i);
            TestRecord<byte[], byte[]> d = byKey.get(b.key());
            assertThat(header(d, "__streams.errors.message")).as(b.key()).contains(b.reason());
            assertThat(header(d, "__streams.errors.exception")).as(b.key()).isEqualTo(b.exception());
            assertThat(header(d, "__streams.errors.topic")).isEqualTo(Topics.FEEDBACK);
            assertThat(header(d, "__streams.errors.offset")).isEqualTo(Integer.toString(i));
            assertThat(header(d, "__streams.errors.stacktrace")).isNotBlank();
            assertThat(d.value() == null ? null : new String(d.value(), StandardCharsets.UTF_8)).as("raw value of " + b.key())
                    .isEqualTo(b.value());
        }
        long refusedBySerde = bad.stream().filter(b -> b.exception().equals(serde)).count();
        assertThat(rejectedSensorTotal()).isEqualTo(bad.size() - refusedBySerde);
        assertThat(metrics.badRecords()).as("every bad verdict and the bad image").isEqualTo(bad.size() + 1);
        assertThat(metrics.verdictsNormal()).as("the good verdict after them").isEqualTo(1);
        assertThat(metrics.examplesTrained()).isEqualTo(BRIGHT + 1);
    }

    /**
     * The store of applied verdicts keeps only images still in {@code images}; a repeated verdict on
     * an image retention deleted is refused all the same, by the lookup.
     */
    @Test
    void verdictsOnImagesDeletedByRetentionAreForgottenAndARepeatIsStillRefused() {
        brightImagesSkipped();
        verdict("dark-1", "normal", 1);
        verdict("bright-0", "anomaly", BRIGHT);
        var applied = driver.<String, byte[]>getKeyValueStore(FeedbackProcessor.APPLIED_STORE);
        assertThat(applied.approximateNumEntries()).isEqualTo(2);

        lookup.deleteBefore(100);
        driver.advanceWallClockTime(FeedbackProcessor.PRUNE_EVERY);
        assertThat(applied.get("dark-1")).as("its image is gone").isNull();
        assertThat(applied.get("bright-0")).isNotNull();

        verdict("dark-1", "normal", 1);
        verdict("bright-0", "anomaly", BRIGHT);
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(d -> header(d, "__streams.errors.message")).satisfiesExactly(
                m -> assertThat(m).contains("no image at images-0 offset 1: the partition now starts at offset 100"),
                m -> assertThat(m).startsWith("image \"bright-0\" already had a verdict applied (anomaly"));
        assertThat(metrics.verdictsNormal() + metrics.verdictsAnomaly()).isEqualTo(2);
    }

    /** Sampling thins the stream, never the operators' verdicts. */
    @Test
    void verdictsAreNeverSampledOut() throws Exception {
        close();
        Properties props = trainerProperties("sampled");
        SampleFilter filter = new SampleFilter(0.1);
        String dropped = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "img-" + i)
                .filter(id -> !filter.keep(id)).findFirst().orElseThrow();
        driver = new TopologyTestDriver(TrainerTopology.build(TRAINING.with(Map.of("train.sample.rate", "0.1")),
                FakeAutoencoder.factory(), metrics, TrainingProcessor.StepThread.CALLER, lookup.opener()), props);
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        feedback = driver.createInputTopic(Topics.FEEDBACK, new StringSerializer(), new ByteArraySerializer());
        image(dropped, 0.5f);
        driver.advanceWallClockTime(Duration.ofMillis(600));
        assertThat(metrics.examplesTrained()).as("sampled out of the stream").isZero();

        verdict(dropped, "normal", 0);
        driver.advanceWallClockTime(Duration.ofMillis(600));
        assertThat(metrics.examplesTrained()).isEqualTo(1);
        assertThat(metrics.verdictsNormal()).isEqualTo(1);
    }
}
