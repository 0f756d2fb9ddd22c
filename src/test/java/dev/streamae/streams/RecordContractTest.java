package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamae.contract.TopicContract;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.model.OfflineTrainer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The records the real topologies write match the topic contract ({@link TopicContract}): every
 * value, key and header on {@code models}, {@code training-metrics}, {@code image-scores},
 * {@code anomaly-alerts}, {@code images-dlq}, {@code model-events}, and the verdicts an operator
 * writes to {@code feedback}. The trainer and the scorer run the real seed
 * network on the vector engine over MNIST digits and Fashion-MNIST items, as in production but
 * publishing every 3 steps, so that the first snapshot comes before there are errors enough to
 * calibrate (192 of 200) and others before and after the warm-up; the scorer scores before any
 * model, with the uncalibrated one, with the last, and (another scorer with a longer warm-up)
 * calibrated but warming up, so every shape of ScoreRecord and TrainingMetrics is checked. The dead-letter test sends bad records of each kind
 * and asserts the headers written are exactly the documented ones. Verdicts on {@code feedback}
 * are built from real alerts and sent to a trainer with the schema's hard cases; drift events on
 * {@code model-events} come from trainers (a fake model) whose stream changes.
 *
 * <p>Cost: 3,840 training images and some 1,000 scored, 6,000 drift images on the fake model:
 * about ten seconds.
 */
class RecordContractTest {

    private static final TopicContract CONTRACT = TopicContract.load();
    private static final int TRAIN_IMAGES = 3_840;
    private static final Datasets.Labelled HELD_OUT = Datasets.mnistHeldOut();
    private static final StreamAeSettings SETTINGS = StreamAeSettings.from(Map.of("model.engine", "vector",
            "publish.every.steps", "3"));

    /** Output records of one topic as Kafka carries them: string keys, raw values, headers. */
    private static List<TestRecord<String, byte[]>> read(TopologyTestDriver driver, String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
    }

    private static void assertMatchesContract(String topic, List<TestRecord<String, byte[]>> records) {
        assertThat(records).as(topic).isNotEmpty();
        for (TestRecord<String, byte[]> r : records) {
            String what = topic + " record " + r.key();
            assertThat(CONTRACT.valueErrors(topic, r.value())).as(what).isEmpty();
            assertThat(CONTRACT.headerErrors(topic, r.headers())).as(what + " headers").isEmpty();
        }
    }

    private static JsonNode json(byte[] value) {
        try {
            return JsonSerde.mapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theTrainersSnapshotsAndMetricsMatchTheContract() {
        Trained trained = Trained.get();

        assertMatchesContract(Topics.MODELS, trained.models);
        JsonNode format = CONTRACT.message(Topics.MODELS).path("payload");
        for (TestRecord<String, byte[]> r : trained.models) {
            assertThat(r.key()).isEqualTo(SETTINGS.modelName());
            ByteBuffer bytes = ByteBuffer.wrap(r.value());
            byte[] magic = new byte[4];
            bytes.get(magic);
            assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo(format.path("x-magic").asText());
            assertThat(Short.toUnsignedInt(bytes.getShort())).isEqualTo(format.path("x-format-version").asInt());
            assertThat(r.value().length).isLessThanOrEqualTo(format.path("x-max-bytes").asInt());
        }

        assertMatchesContract(Topics.TRAINING_METRICS, trained.metrics);
        List<JsonNode> metrics = trained.metrics.stream().map(r -> json(r.value())).toList();
        assertThat(trained.metrics).allSatisfy(r -> assertThat(r.key()).isEqualTo(SETTINGS.modelName()));
        assertThat(metrics).as("the first record, before there are errors enough to calibrate")
                .anySatisfy(m -> assertThat(m.has("threshold") || m.path("alerting").asBoolean()).isFalse());
        assertThat(metrics).as("records of calibrated models before the warm-up")
                .anySatisfy(m -> assertThat(m.has("threshold") && !m.has("alertRate") && !m.path("alerting").asBoolean())
                        .isTrue());
        assertThat(metrics).as("records of calibrated, alerting models")
                .anySatisfy(m -> assertThat(m.has("threshold") && m.has("alertRate") && m.path("alerting").asBoolean())
                        .isTrue());
    }

    @Test
    void everyScoreAndAlertMatchesTheContract() {
        Trained trained = Trained.get();
        List<TestRecord<String, byte[]>> scores = new ArrayList<>();
        List<TestRecord<String, byte[]>> alerts = new ArrayList<>();
        Map<String, Long> timestamps = new java.util.HashMap<>();
        try (TopologyTestDriver driver = scorer(SETTINGS)) {
            TestInputTopic<String, byte[]> images = imagesTopic(driver);
            TestInputTopic<String, byte[]> models = modelsTopic(driver);
            send(images, "before-model", digit(0), "u8", timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            models.pipeInput(SETTINGS.modelName(), trained.models.get(0).value());
            send(images, "uncalibrated", digit(1), "pixels", timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            models.pipeInput(SETTINGS.modelName(), trained.models.get(trained.models.size() - 1).value());
            Datasets.Labelled fashion = Datasets.fashion();
            for (int i = 0; i < 300; i++) {
                String encoding = List.of("u8", "pixels", "png").get(i % 3);
                send(images, "digit-" + i, digit(2 + i), encoding, timestamps);
                if (i % 3 == 0) {
                    ImageRecord item = withEncoding("fashion-" + i, fashion.images().pixels(i),
                            Label.of("fashion:" + Datasets.fashionClass(fashion.labels()[i])), encoding);
                    send(images, item, timestamps);
                }
            }
            // Without an id of its own: the key is its id. Without a label.
            images.pipeInput("key-only", bytes("{\"u8\":\"" + ImageDecoder.encodeU8(new byte[784]) + "\"}"), 5L);
            timestamps.put("key-only", 5L);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            scores.addAll(read(driver, Topics.IMAGE_SCORES));
            alerts.addAll(read(driver, Topics.ANOMALY_ALERTS));
        }
        // Calibrated, but this scorer's warm-up is longer than the model's experience.
        try (TopologyTestDriver driver = scorer(SETTINGS.with(Map.of("warmup.examples", "1000000")))) {
            modelsTopic(driver).pipeInput(SETTINGS.modelName(), trained.models.get(trained.models.size() - 1).value());
            send(imagesTopic(driver), "calibrated-warming-up", digit(0), "u8", timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            scores.addAll(read(driver, Topics.IMAGE_SCORES));
            assertThat(read(driver, Topics.ANOMALY_ALERTS)).isEmpty();
        }

        assertMatchesContract(Topics.IMAGE_SCORES, scores);
        assertMatchesContract(Topics.ANOMALY_ALERTS, alerts);
        for (TestRecord<String, byte[]> r : scores) {
            JsonNode score = json(r.value());
            assertThat(score.path("id").asText()).as("the key is the image id").isEqualTo(r.key());
            assertThat(score.path("partition").isInt() && score.path("offset").canConvertToLong())
                    .as("the image's coordinates, for a verdict").isTrue();
            assertThat(r.timestamp()).as("the record's time is the image's").isEqualTo(timestamps.get(r.key()))
                    .isEqualTo(score.path("imageTimestamp").asLong());
        }
        // Every shape of ScoreRecord was checked: each status, with and without a calibration, labels of both kinds.
        Set<String> shapes = new TreeSet<>();
        for (TestRecord<String, byte[]> r : scores) {
            JsonNode s = json(r.value());
            shapes.add(s.path("status").asText() + (s.has("pValue") ? "+p" : "") + (s.path("anomaly").asBoolean() ? "+alert" : ""));
            shapes.add("label:" + (s.has("label") ? s.path("label").getNodeType() : "none"));
        }
        assertThat(shapes).contains("NO_MODEL", "WARMING_UP", "WARMING_UP+p", "READY+p", "READY+p+alert",
                "label:NUMBER", "label:STRING", "label:none");
        assertThat(alerts).extracting(TestRecord::key).allSatisfy(id -> assertThat(scores).anySatisfy(s ->
                assertThat(s.key()).isEqualTo(id)));
    }

    /**
     * The many-models shapes of a score: made by the fallback model's snapshot ({@code scoredBy}),
     * by a pinned snapshot from {@code model-control} ({@code pinned}), both, and neither (an image
     * of a model with no snapshot while the fallback has none either).
     */
    @Test
    void scoresByTheFallbackModelAndByAPinMatchTheContract() {
        Trained trained = Trained.get();
        StreamAeSettings settings = SETTINGS.with(Map.of("models.fallback", SETTINGS.modelName()));
        Map<String, Long> timestamps = new java.util.HashMap<>();
        List<TestRecord<String, byte[]>> scores = new ArrayList<>();
        try (TopologyTestDriver driver = scorer(settings)) {
            TestInputTopic<String, byte[]> images = imagesTopic(driver);
            send(images, withEncoding("nothing-yet", digit(0), null, "u8").withModel("cam-1"), timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            modelsTopic(driver).pipeInput(SETTINGS.modelName(), trained.models.get(trained.models.size() - 1).value());
            send(images, withEncoding("by-fallback", digit(1), null, "u8").withModel("cam-1"), timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            driver.createInputTopic(Topics.MODEL_CONTROL, new StringSerializer(), new ByteArraySerializer())
                    .pipeInput(SETTINGS.modelName(), trained.models.get(0).value());
            send(images, withEncoding("pinned", digit(2), null, "u8"), timestamps);
            send(images, withEncoding("pinned-fallback", digit(3), null, "u8").withModel("cam-1"), timestamps);
            driver.advanceWallClockTime(Duration.ofMillis(25));
            scores.addAll(read(driver, Topics.IMAGE_SCORES));
        }
        assertMatchesContract(Topics.IMAGE_SCORES, scores);
        Map<String, String> shapes = new java.util.TreeMap<>();
        for (TestRecord<String, byte[]> r : scores) {
            JsonNode s = json(r.value());
            shapes.put(r.key(), s.path("model").asText() + "/" + s.path("scoredBy").asText("-") + "/"
                    + s.path("pinned").asText("-") + "/" + s.path("status").asText());
        }
        String name = SETTINGS.modelName();
        assertThat(shapes).containsExactlyInAnyOrderEntriesOf(Map.of(
                "nothing-yet", "cam-1/-/-/NO_MODEL",
                "by-fallback", "cam-1/" + name + "/-/READY",
                "pinned", name + "/-/true/WARMING_UP",
                "pinned-fallback", "cam-1/" + name + "/true/WARMING_UP"));
    }

    /**
     * Bad records of each kind (not JSON, an invalid image, a null value, a key and a value too
     * large to copy whole) each give one dead letter whose headers are valid, and the headers the
     * code writes are exactly the ones the contract documents; the bad record's own headers are
     * carried on ahead of them.
     */
    @Test
    void deadLettersCarryExactlyTheDocumentedHeaders() {
        String big = "A".repeat(BadRecordHandlers.MAX_COPIED_BYTES + 100);
        record Bad(String key, byte[] value, Header... headers) {
        }
        List<Bad> bad = List.of(
                new Bad("json", bytes("{not json")),
                new Bad("short", bytes("{\"id\":\"short\",\"pixels\":[0,0,0]}"),
                        new org.apache.kafka.common.header.internals.RecordHeader("trace-id", bytes("t-1")),
                        new org.apache.kafka.common.header.internals.RecordHeader("empty", null)),
                new Bad("null", null),
                new Bad("big-value", bytes("{\"id\":\"big\",\"png\":\"" + big + "\"}")),
                new Bad("k".repeat(BadRecordHandlers.MAX_COPIED_BYTES + 1), bytes("[]")));
        List<TestRecord<byte[], byte[]>> dead;
        try (TopologyTestDriver driver = new TopologyTestDriver(ScorerTopology.build(TopologyTestSupport.SETTINGS,
                new ModelRegistry(TopologyTestSupport.SETTINGS, FakeAutoencoder.factory()), new ScorerMetrics()),
                TopologyTestSupport.driverProperties("dlq-contract", new AtomicLong(), true))) {
            TestInputTopic<String, byte[]> images = imagesTopic(driver);
            long t = 1_000;
            for (Bad b : bad) {
                images.pipeInput(new TestRecord<>(b.key(), b.value(), new RecordHeaders(b.headers()), t++));
            }
            driver.advanceWallClockTime(Duration.ofMillis(25));
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            dead = dlq.readRecordsToList();
        }

        assertThat(dead).hasSize(bad.size());
        Set<String> documented = new TreeSet<>();
        CONTRACT.headersSchema(Topics.IMAGES_DLQ).orElseThrow().getSchemaNode().path("properties").propertyNames()
                .forEach(documented::add);
        Set<String> required = new TreeSet<>();
        CONTRACT.headersSchema(Topics.IMAGES_DLQ).orElseThrow().getSchemaNode().path("required")
                .forEach(n -> required.add(n.asString()));
        Set<String> written = new TreeSet<>();
        for (int i = 0; i < bad.size(); i++) {
            Bad b = bad.get(i);
            TestRecord<byte[], byte[]> d = dead.get(i);
            String what = "dead letter of " + b.key().substring(0, Math.min(20, b.key().length()));
            assertThat(CONTRACT.headerErrors(Topics.IMAGES_DLQ, d.headers())).as(what).isEmpty();
            List<String> names = new ArrayList<>();
            d.headers().forEach(h -> names.add(h.key()));
            List<String> own = Arrays.stream(b.headers()).map(Header::key).toList();
            assertThat(names.subList(0, own.size())).as(what + ": the record's own headers first").isEqualTo(own);
            List<String> ours = names.subList(own.size(), names.size());
            assertThat(ours).as(what).doesNotHaveDuplicates().containsAll(required);
            written.addAll(ours);
            assertThat(header(d, "__streams.errors.offset")).as(what).isEqualTo(Integer.toString(i));
            assertThat(header(d, "__streams.errors.partition")).isEqualTo("0");
            assertThat(d.timestamp()).as(what + ": the record's own time").isEqualTo(1_000 + i);
            assertThat(d.key()).as(what + ": the key as received, cut")
                    .isEqualTo(cut(b.key().getBytes(StandardCharsets.UTF_8)));
            assertThat(d.value()).as(what + ": the value as received, cut").isEqualTo(cut(b.value()));
            boolean keyCut = b.key().length() > BadRecordHandlers.MAX_COPIED_BYTES;
            boolean valueCut = b.value() != null && b.value().length > BadRecordHandlers.MAX_COPIED_BYTES;
            assertThat(ours.contains(BadRecordHandlers.ORIGINAL_KEY_BYTES_HEADER)).as(what).isEqualTo(keyCut);
            assertThat(ours.contains(BadRecordHandlers.ORIGINAL_VALUE_BYTES_HEADER)).as(what).isEqualTo(valueCut);
        }
        assertThat(written).as("the headers StreamAE and Kafka Streams write").isEqualTo(documented);
        assertThat(header(dead.get(0), "__streams.errors.exception"))
                .isEqualTo(org.apache.kafka.common.errors.SerializationException.class.getName());
        assertThat(header(dead.get(1), "__streams.errors.exception"))
                .isEqualTo(dev.streamae.image.InvalidImageException.class.getName());
    }

    /**
     * Verdicts built from the scorer's real alerts, as an operator builds them (id, partition and
     * offset copied), match the FeedbackRecord schema, and the trainer applies every one. The
     * schema refuses exactly the verdicts the trainer refuses for their structure, except a verdict
     * in capitals, which only the trainer forgives (docs/topics.md says so); the trainer's dead
     * letters of refused verdicts match the dead-letter contract.
     */
    @Test
    void verdictsOnRealAlertsMatchTheContractAndTheSchemaRefusesWhatTheTrainerRefuses() {
        Trained trained = Trained.get();
        FakeImageLookup imagesLog = new FakeImageLookup();
        JsonSerde<ImageRecord> imageSerde = JsonSerde.of(ImageRecord.class);
        List<ScoreRecord> scores;
        List<ScoreRecord> alerts;
        try (TopologyTestDriver driver = scorer(SETTINGS)) {
            modelsTopic(driver).pipeInput(SETTINGS.modelName(), trained.models.get(trained.models.size() - 1).value());
            TestInputTopic<String, byte[]> images = imagesTopic(driver);
            Datasets.Labelled fashion = Datasets.fashion();
            for (int i = 0; i < 300; i++) {
                ImageRecord image = i % 5 == 0 ? withEncoding("fashion-" + i, fashion.images().pixels(i), null, "u8")
                        : withEncoding("digit-" + i, digit(i), null, "u8");
                imagesLog.pipe(images, image.id(), imageSerde.toBytes(image), 1_000 + i);
            }
            driver.advanceWallClockTime(Duration.ofMillis(25));
            JsonSerde<ScoreRecord> scoreSerde = JsonSerde.of(ScoreRecord.class);
            scores = read(driver, Topics.IMAGE_SCORES).stream().map(r -> scoreSerde.fromBytes(r.value())).toList();
            alerts = read(driver, Topics.ANOMALY_ALERTS).stream().map(r -> scoreSerde.fromBytes(r.value())).toList();
        }
        assertThat(alerts).isNotEmpty();
        JsonSerde<FeedbackRecord> feedbackSerde = JsonSerde.of(FeedbackRecord.class);
        List<FeedbackRecord> verdicts = alerts.stream().map(a -> new FeedbackRecord(a.id(),
                a.id().startsWith("fashion-") ? Verdict.ANOMALY : Verdict.NORMAL, a.partition(), a.offset())).toList();
        for (FeedbackRecord v : verdicts) {
            assertThat(CONTRACT.valueErrors(Topics.FEEDBACK, feedbackSerde.toBytes(v))).as(v.id()).isEmpty();
        }

        // Each case on an unflagged digit of its own, so that no valid one repeats another's verdict.
        List<ScoreRecord> unflagged = scores.stream().filter(sc -> !sc.anomaly()).toList();
        List<String> cases = List.of(
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"anomaly\",\"partition\":0,\"offset\":%d}",
                "{\"verdict\":\"normal\",\"partition\":0,\"offset\":%2$d}",
                "{\"id\":\"%s\",\"partition\":0,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":null,\"partition\":0,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"maybe\",\"partition\":0,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":-1,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0,\"offset\":-%d}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0.5,\"offset\":%d}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0,\"offset\":\"%d\"}",
                "{\"id\":\"%s\",\"verdict\":\"normal\",\"partition\":0,\"offset\":%d,\"note\":1}",
                "{\"id\":\" \",\"verdict\":\"normal\",\"partition\":0,\"offset\":%2$d}",
                "[\"%s\",%d]",
                "{\"id\":\"%s\",\"verdict\":\"NORMAL\",\"partition\":0,\"offset\":%d}");
        String forgiven = cases.get(cases.size() - 1);
        List<TestRecord<byte[], byte[]>> dead;
        TrainerMetrics trainerMetrics = new TrainerMetrics();
        try (TopologyTestDriver driver = new TopologyTestDriver(TrainerTopology.build(SETTINGS, FakeAutoencoder.factory(),
                trainerMetrics, TrainingProcessor.StepThread.CALLER, imagesLog.opener()),
                TopologyTestSupport.driverProperties("feedback-contract", trainerMetrics.badRecordsCounter(), true))) {
            TestInputTopic<String, byte[]> feedback = driver.createInputTopic(Topics.FEEDBACK, new StringSerializer(),
                    new ByteArraySerializer());
            verdicts.forEach(v -> feedback.pipeInput(v.id(), feedbackSerde.toBytes(v)));
            for (int i = 0; i < cases.size(); i++) {
                ScoreRecord image = unflagged.get(i);
                feedback.pipeInput(image.id(), bytes(String.format(cases.get(i), image.id(), image.offset())));
            }
            driver.advanceWallClockTime(Duration.ofMillis(SETTINGS.partialBatchAfter().toMillis() + 100));
            dead = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList();
        }
        long normal = verdicts.stream().filter(v -> v.verdict() == Verdict.NORMAL).count();
        assertThat(trainerMetrics.verdictsNormal()).as("verdicts normal applied").isEqualTo(normal + 2);
        assertThat(trainerMetrics.verdictsAnomaly()).isEqualTo(verdicts.size() - normal + 1);
        Set<Long> refusedOffsets = new TreeSet<>();
        for (TestRecord<byte[], byte[]> d : dead) {
            assertThat(CONTRACT.headerErrors(Topics.IMAGES_DLQ, d.headers())).as("dead letter headers").isEmpty();
            assertThat(header(d, "__streams.errors.topic")).isEqualTo(Topics.FEEDBACK);
            refusedOffsets.add(Long.parseLong(header(d, "__streams.errors.offset")));
        }
        assertThat(refusedOffsets).as("no verdict on an alert refused").allMatch(o -> o >= verdicts.size());
        for (int i = 0; i < cases.size(); i++) {
            ScoreRecord image = unflagged.get(i);
            String json = String.format(cases.get(i), image.id(), image.offset());
            boolean serviceRefuses = refusedOffsets.contains((long) verdicts.size() + i);
            boolean schemaRefuses = !CONTRACT.valueErrors(Topics.FEEDBACK, bytes(json)).isEmpty();
            assertThat(serviceRefuses).as("the trainer refuses " + json).isEqualTo(i >= 2 && !cases.get(i).equals(forgiven));
            assertThat(schemaRefuses).as("the schema refuses " + json).isEqualTo(i >= 2);
        }
    }

    /**
     * The drift events a trainer emits when its stream changes for good, under each policy, match
     * the contract: a 2x2 model ({@link FakeAutoencoder}) learns dim noisy images, then the stream
     * turns bright. Under {@code hold} the change is suspected and learning held; under
     * {@code adapt} it is suspected, confirmed and the calibration re-fitted. (The events are
     * forwarded after the checkpoint that covers them, each once: one of each kind here.)
     */
    @Test
    void theTrainersDriftEventsMatchTheContract() {
        Map<String, List<String>> typesByPolicy = new java.util.TreeMap<>();
        for (String policy : List.of("hold", "adapt")) {
            // Calibrated once, as the warm-up ends, and not again before the change is confirmed
            // (a re-fit every two steps would follow the change before the detector could see it).
            StreamAeSettings settings = TopologyTestSupport.SETTINGS.with(Map.of("drift.policy", policy,
                    "warmup.examples", "400", "publish.every.steps", "1000", "calibration.window", "5000"));
            List<TestRecord<String, byte[]>> events;
            try (TopologyTestDriver driver = new TopologyTestDriver(TrainerTopology.build(settings,
                    FakeAutoencoder.factory(), new TrainerMetrics(), TrainingProcessor.StepThread.CALLER),
                    TopologyTestSupport.driverProperties("drift-contract-" + policy, new AtomicLong(), false))) {
                TestInputTopic<String, byte[]> images = imagesTopic(driver);
                SplittableRandom random = new SplittableRandom(3);
                for (int i = 0; i < 3_000; i++) {
                    float base = i < 600 ? 0.2f : 0.8f;
                    float[] pixels = new float[4];
                    for (int p = 0; p < pixels.length; p++) {
                        pixels[p] = base + (float) random.nextDouble(-0.1, 0.1);
                    }
                    images.pipeInput("img-" + i, bytes(TopologyTestSupport.pixelsJson("img-" + i, pixels)));
                }
                driver.advanceWallClockTime(Duration.ofMillis(1_100));
                events = read(driver, Topics.MODEL_EVENTS);
            }
            assertMatchesContract(Topics.MODEL_EVENTS, events);
            assertThat(events).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo(TopologyTestSupport.SETTINGS.modelName());
                assertThat(json(r.value()).path("policy").asText()).isEqualTo(policy);
            });
            typesByPolicy.put(policy, events.stream().map(r -> json(r.value()).path("type").asText()).toList());
        }
        assertThat(typesByPolicy.get("hold")).containsExactly("DRIFT_SUSPECTED", "LEARNING_HELD", "DRIFT_CONFIRMED");
        assertThat(typesByPolicy.get("adapt")).containsExactly("DRIFT_SUSPECTED", "DRIFT_CONFIRMED", "RECALIBRATED");
    }

    /** A trainer publishes on time when only skipped images changed; its loss is then NaN, written as "NaN". */
    @Test
    void aLossOfNaNIsWrittenAsTheContractSays() {
        TrainingMetrics noStep = new TrainingMetrics("streamae", 7, Double.NaN, "bce", 0.5, 0.004, 1.0, 0.05, 10_000,
                true, 5_000, 70, 12, 3.5, 1_796_463_045_763L, "adapt", "STABLE", 0.0, false, 0L, 0L, null);
        byte[] written = JsonSerde.of(TrainingMetrics.class).toBytes(noStep);
        assertThat(json(written).path("loss").asText()).isEqualTo("NaN");
        assertThat(CONTRACT.valueErrors(Topics.TRAINING_METRICS, written)).isEmpty();
    }

    // ------------------------------------------------------------------ the real model, trained once

    /** What the trainer topology published on {@value #TRAIN_IMAGES} shuffled training digits. */
    private record Trained(List<TestRecord<String, byte[]>> models, List<TestRecord<String, byte[]>> metrics) {

        private static Trained trained;

        static synchronized Trained get() {
            if (trained == null) {
                trained = train();
            }
            return trained;
        }

        private static Trained train() {
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    TrainerTopology.build(SETTINGS, ModelFactory.of(SETTINGS), new TrainerMetrics()),
                    TopologyTestSupport.driverProperties("trainer-contract", new AtomicLong(), false))) {
                TestInputTopic<String, byte[]> images = imagesTopic(driver);
                Datasets.Labelled train = Datasets.mnistTrain();
                int[] order = new int[train.count()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                OfflineTrainer.shuffle(order, new SplittableRandom(1));
                JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
                for (int i = 0; i < TRAIN_IMAGES; i++) {
                    int index = order[i];
                    images.pipeInput("train-" + i, serde.toBytes(ImageRecord.ofU8("train-" + i, train.images().bytes(index),
                            Label.of(train.labels()[index]))));
                }
                driver.advanceWallClockTime(Duration.ofMillis(5_100));
                Trained out = new Trained(read(driver, Topics.MODELS), read(driver, Topics.TRAINING_METRICS));
                assertThat(out.models()).hasSizeGreaterThanOrEqualTo(3);
                return out;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static TopologyTestDriver scorer(StreamAeSettings settings) {
        ScorerMetrics metrics = new ScorerMetrics();
        return new TopologyTestDriver(ScorerTopology.build(settings, new ModelRegistry(settings, ModelFactory.of(settings)),
                metrics), TopologyTestSupport.driverProperties("scorer-contract", metrics.badRecordsCounter(), true));
    }

    private static TestInputTopic<String, byte[]> imagesTopic(TopologyTestDriver driver) {
        return driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
    }

    private static TestInputTopic<String, byte[]> modelsTopic(TopologyTestDriver driver) {
        return driver.createInputTopic(Topics.MODELS, new StringSerializer(), new ByteArraySerializer());
    }

    private static float[] digit(int i) {
        return HELD_OUT.images().pixels(i);
    }

    private static ImageRecord withEncoding(String id, float[] pixels, Label label, String encoding) {
        return switch (encoding) {
            case "u8" -> new ImageRecord(id, null, ImageDecoder.encodeU8(pixels), null, null, null, label, null);
            case "pixels" -> new ImageRecord(id, pixels, null, null, 28, 28, label, null);
            default -> new ImageRecord(id, null, null, ImageDecoder.encodePng(pixels, 28, 28), null, null, label,
                    1_796_463_041_102L);
        };
    }

    private static void send(TestInputTopic<String, byte[]> images, String id, float[] pixels, String encoding,
                             Map<String, Long> timestamps) {
        send(images, withEncoding(id, pixels, Label.of(id.hashCode() & 7), encoding), timestamps);
    }

    private static void send(TestInputTopic<String, byte[]> images, ImageRecord image, Map<String, Long> timestamps) {
        long recordTime = 1_000 + timestamps.size();
        images.pipeInput(image.id(), JsonSerde.of(ImageRecord.class).toBytes(image), recordTime);
        timestamps.put(image.id(), image.timestamp() != null ? image.timestamp() : recordTime);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= BadRecordHandlers.MAX_COPIED_BYTES ? bytes
                : Arrays.copyOf(bytes, BadRecordHandlers.MAX_COPIED_BYTES);
    }
}
