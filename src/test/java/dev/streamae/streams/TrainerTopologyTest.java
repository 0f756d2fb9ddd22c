package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.pixelsJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerTopologyTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> images;
    private TestOutputTopic<String, byte[]> models;
    private TestOutputTopic<String, TrainingMetrics> metricsTopic;
    private TestOutputTopic<byte[], byte[]> dlq;
    private final TrainerMetrics metrics = new TrainerMetrics();
    private final AtomicLong badRecords = new AtomicLong();

    private void start(StreamAeSettings settings) {
        start(settings, TrainingProcessor.StepThread.CALLER);
    }

    private void start(StreamAeSettings settings, TrainingProcessor.StepThread stepThread) {
        start(settings, stepThread, FakeAutoencoder.factory());
    }

    private void start(StreamAeSettings settings, TrainingProcessor.StepThread stepThread, ModelFactory factory) {
        driver = new TopologyTestDriver(TrainerTopology.build(settings, factory, metrics, stepThread),
                TopologyTestSupport.driverProperties("trainer-test", badRecords, false));
        images = driver.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
        models = driver.createOutputTopic(Topics.MODELS, new StringDeserializer(), new ByteArrayDeserializer());
        metricsTopic = driver.createOutputTopic(Topics.TRAINING_METRICS, new StringDeserializer(),
                JsonSerde.of(TrainingMetrics.class).deserializer());
        dlq = driver.createOutputTopic(Topics.IMAGES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void images(int from, int to, float value) {
        for (int i = from; i < to; i++) {
            images.pipeInput("img-" + i, bytes(pixelsJson("img-" + i, value, value, value, value)));
        }
    }

    private static Snapshot decode(byte[] bytes) {
        return SnapshotCodec.unsigned().decode(bytes);
    }

    @Test
    void publishesANewVersionEveryNStepsWithMetrics() {
        start(SETTINGS);
        images(0, 20, 0.2f);  // 5 steps of 4; publish after steps 2 and 4

        List<byte[]> published = models.readValuesToList();
        assertThat(published).hasSize(2);
        Snapshot first = decode(published.get(0));
        Snapshot second = decode(published.get(1));
        assertThat(first.modelVersion()).isEqualTo(1);
        assertThat(first.examplesSeen()).isEqualTo(8);
        assertThat(second.modelVersion()).isEqualTo(2);
        assertThat(second.examplesSeen()).isEqualTo(16);
        assertThat(second.hasOptimiserState()).as("published without Adam state by default").isFalse();
        assertThat(second.calibration()).as("20 errors are too few to calibrate").isNull();
        assertThat(second.alerting()).isFalse();

        List<TrainingMetrics> records = metricsTopic.readValuesToList();
        assertThat(records).extracting(TrainingMetrics::modelVersion).containsExactly(1L, 2L);
        assertThat(records).extracting(TrainingMetrics::examplesSeen).containsExactly(8L, 16L);
        assertThat(records.get(1).loss()).isFinite();
        assertThat(records.get(1).steps()).isEqualTo(4);
        assertThat(metrics.examplesTrained()).isEqualTo(20);
    }

    @Test
    void stepsOnTheirOwnThreadLearnEveryExampleOnceAndPublishInOrder() {
        start(SETTINGS, TrainingProcessor.StepThread.OWN);
        images(0, 22, 0.3f);  // 5 full steps (the last may still be in flight), 2 examples pending
        driver.advanceWallClockTime(Duration.ofMillis(600));   // in-flight step folded in, partial batch trained
        driver.advanceWallClockTime(Duration.ofMillis(1100));  // publish interval passed

        List<byte[]> published = models.readValuesToList();
        List<Long> versions = published.stream().map(b -> decode(b).modelVersion()).toList();
        assertThat(versions).as("versions published once each, in order").isSorted().doesNotHaveDuplicates();
        Snapshot last = decode(published.get(published.size() - 1));
        assertThat(last.examplesSeen()).isEqualTo(22);
        assertThat(last.steps()).isEqualTo(6);
        assertThat(last.calibration()).as("22 errors are too few to calibrate").isNull();
        assertThat(metrics.examplesTrained()).isEqualTo(22);
    }

    @Test
    void aFailedStepAndTheOnesQueuedBehindItAreRetriedSoEveryExampleIsLearntOnce() {
        AtomicReference<FakeAutoencoder> model = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        start(SETTINGS, TrainingProcessor.StepThread.OWN, (architecture, metric) -> {
            model.set(new FakeAutoencoder(architecture, metric).failingOnTrainCall(2, release));
            return model.get();
        });
        images(0, 12, 0.3f);  // step 1 folded in; step 2 hangs in the model, step 3 is queued behind it
        release.countDown();  // step 2 fails, so step 3 must leave the model alone
        images(12, 22, 0.3f);
        driver.advanceWallClockTime(Duration.ofMillis(600));
        driver.advanceWallClockTime(Duration.ofMillis(1100));

        assertThat(model.get().examplesLearnt()).as("learnt by the model, retries included").isEqualTo(22);
        assertThat(metrics.examplesTrained()).isEqualTo(22);
        List<byte[]> published = models.readValuesToList();
        assertThat(published.stream().map(b -> decode(b).modelVersion()).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(decode(published.get(published.size() - 1)).examplesSeen()).isEqualTo(22);
    }

    @Test
    void learnsFromEveryExampleAndThePublishIntervalFlushesTheRest() {
        start(SETTINGS);
        images(0, 10, 0.5f);  // 2 full steps (published), 2 examples pending
        models.readValuesToList();
        driver.advanceWallClockTime(Duration.ofMillis(600));   // partial batch trained
        driver.advanceWallClockTime(Duration.ofMillis(1100));  // publish interval passed

        List<TrainingMetrics> records = metricsTopic.readValuesToList();
        assertThat(records.get(records.size() - 1).examplesSeen()).isEqualTo(10);
        Snapshot last = decode(models.readValuesToList().get(0));
        assertThat(last.examplesSeen()).isEqualTo(10);
        assertThat(last.steps()).isEqualTo(3);
    }


    @Test
    void badRecordsAreSkippedAndCountedWithoutReachingTheModel() {
        start(SETTINGS);
        images.pipeInput("bad-json", bytes("{oops"));
        images.pipeInput("bad-size", bytes("{\"id\":\"bad-size\",\"pixels\":[0,0]}"));
        images(0, 8, 0.3f);

        assertThat(badRecords.get()).isEqualTo(2);
        assertThat(decode(models.readValue()).examplesSeen()).isEqualTo(8);
        assertThat(dlq.isEmpty()).as("the scorer reports bad records, the trainer only counts them").isTrue();
    }

    @Test
    void skipAnomaliesKeepsFlaggedImagesOutOfTheModel() {
        start(SETTINGS.with(Map.of("train.skip.anomalies", "true", "publish.every.steps", "1")));
        images(0, 240, 0.0f);   // enough errors to calibrate, past the warm-up: the model knows dark images
        models.readValuesToList();
        images(240, 244, 1.0f);  // a batch of bright outliers

        assertThat(metrics.skippedAnomalies()).isEqualTo(4);
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        List<TrainingMetrics> records = metricsTopic.readValuesToList();
        TrainingMetrics last = records.get(records.size() - 1);
        assertThat(last.examplesSeen()).isEqualTo(240);
        assertThat(last.skippedAnomalies()).isEqualTo(4);
        assertThat(last.alerting()).isTrue();
    }

    @Test
    void samplingLearnsADeterministicFraction() {
        start(SETTINGS.with(Map.of("train.sample.rate", "0.5")));
        images(0, 400, 0.3f);
        driver.advanceWallClockTime(Duration.ofMillis(600));
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        List<TrainingMetrics> records = metricsTopic.readValuesToList();
        long seen = records.get(records.size() - 1).examplesSeen();
        assertThat(seen).isBetween(150L, 250L);
        SampleFilter filter = new SampleFilter(0.5);
        long expected = java.util.stream.IntStream.range(0, 400).filter(i -> filter.keep("img-" + i)).count();
        assertThat(seen).isEqualTo(expected);
    }
}
