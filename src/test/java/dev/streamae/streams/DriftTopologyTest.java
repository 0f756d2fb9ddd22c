package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.pixelsJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * The trainer topology's drift handling on seeded streams of 2x2 images (the deterministic fake
 * model, whose error is an image's distance from the mean brightness it has learnt): normal images
 * around 0.3 with 3% anomalies around 0.9, then a lasting change of normal to images around 0.65
 * (with the same anomalies). The events on {@code model-events} must come once each and in order,
 * after the change and not before it; {@code adapt} must re-fit and learn the new normal,
 * {@code hold} must stop learning while alerts go on, and resume once the old normal is back.
 */
class DriftTopologyTest {

    private static final int BEFORE = 6_000;
    private static final int AFTER = 4_000;
    private static final StreamAeSettings SETTINGS = TopologyTestSupport.SETTINGS.with(Map.of(
            "train.batch.size", "16", "calibration.window", "5000", "publish.every.steps", "10",
            "warmup.examples", "400", "alert.false.alarm.rate", "0.01"));

    private static float[] image(SplittableRandom r, double mean, double spread) {
        float[] pixels = new float[4];
        for (int i = 0; i < 4; i++) {
            pixels[i] = (float) Math.max(0, Math.min(1, mean + spread * r.nextGaussian()));
        }
        return pixels;
    }

    /** What one trainer run emitted. */
    private record Run(List<ModelEvent> events, List<TrainingMetrics> metrics, FakeAutoencoder model) {

        List<String> types() {
            return events.stream().map(ModelEvent::type).toList();
        }

        ModelEvent event(String type) {
            return events.stream().filter(e -> e.type().equals(type)).findFirst().orElseThrow();
        }
    }

    /** Streams {@code phases} (image count, mean brightness) through a trainer under {@code policy}. */
    private static Run run(String policy, double[][] phases) {
        StreamAeSettings settings = SETTINGS.with(Map.of("drift.policy", policy));
        FakeAutoencoder[] model = new FakeAutoencoder[1];
        SplittableRandom r = new SplittableRandom(5);
        try (TopologyTestDriver trainer = new TopologyTestDriver(TrainerTopology.build(settings,
                (architecture, metric) -> model[0] = new FakeAutoencoder(architecture, metric), new TrainerMetrics(),
                TrainingProcessor.StepThread.CALLER), TopologyTestSupport.driverProperties("drift-" + policy,
                new AtomicLong(), false))) {
            TestInputTopic<String, byte[]> images = trainer.createInputTopic(Topics.IMAGES, new StringSerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, ModelEvent> events = trainer.createOutputTopic(Topics.MODEL_EVENTS,
                    new StringDeserializer(), JsonSerde.of(ModelEvent.class).deserializer());
            TestOutputTopic<String, TrainingMetrics> metrics = trainer.createOutputTopic(Topics.TRAINING_METRICS,
                    new StringDeserializer(), JsonSerde.of(TrainingMetrics.class).deserializer());
            int n = 0;
            for (double[] phase : phases) {
                for (int i = 0; i < phase[0]; i++, n++) {
                    boolean anomaly = r.nextDouble() < 0.03;
                    String id = "t-" + n;
                    images.pipeInput(id, bytes(pixelsJson(id, anomaly ? image(r, 0.9, 0.05) : image(r, phase[1], 0.08))));
                    if (n % 500 == 499) {
                        // Time passes: a held trainer takes no step and so publishes on time only.
                        trainer.advanceWallClockTime(settings.publishInterval());
                    }
                }
            }
            trainer.advanceWallClockTime(Duration.ofMillis(600));
            trainer.advanceWallClockTime(Duration.ofMillis(1100));
            return new Run(events.readValuesToList(), metrics.readValuesToList(), model[0]);
        }
    }

    @Test
    void adaptConfirmsTheChangeOnceRefitsAndLearnsTheNewNormal() {
        Run run = run("adapt", new double[][] {{BEFORE, 0.3}, {AFTER, 0.65}});

        assertThat(run.types()).containsExactly("DRIFT_SUSPECTED", "DRIFT_CONFIRMED", "RECALIBRATED");
        // The judged count starts once the warm-up calibration is in force (some 400 images in).
        long changeJudged = BEFORE - 400;
        ModelEvent confirmed = run.event("DRIFT_CONFIRMED");
        assertThat(confirmed.changeAt()).as("where the change is placed").isBetween(changeJudged - 100, changeJudged + 100);
        assertThat(confirmed.imagesJudged() - changeJudged).as("images from the change to its confirmation")
                .isBetween(300L, 2_000L);
        assertThat(run.events()).allMatch(e -> e.policy().equals("adapt") && e.model().equals(SETTINGS.modelName()));
        TrainingMetrics last = run.metrics().get(run.metrics().size() - 1);
        assertThat(last.driftPhase()).isEqualTo("STABLE");
        assertThat(last.learningHeld()).isFalse();
        assertThat(last.alertRate()).as("alerts back near the rate plus the 3%% anomalies").isLessThan(0.1);
        assertThat(run.model().learntMean()).as("the model learnt the new normal").isGreaterThan(0.4f);
    }

    @Test
    void holdStopsLearningKeepsAlertingAndResumesWhenTheOldNormalIsBack() {
        Run run = run("hold", new double[][] {{BEFORE, 0.3}, {AFTER, 0.65}, {3_000, 0.3}});

        assertThat(run.types()).containsExactly("DRIFT_SUSPECTED", "LEARNING_HELD", "DRIFT_CONFIRMED", "LEARNING_RESUMED");
        long changeJudged = BEFORE - 400;
        assertThat(run.event("LEARNING_HELD").imagesJudged() - changeJudged).as("images from the change to the hold")
                .isBetween(100L, 2_000L);
        assertThat(run.event("LEARNING_RESUMED").imagesJudged() - (changeJudged + AFTER))
                .as("images from the old normal's return to resuming").isBetween(100L, 2_000L);
        List<TrainingMetrics> held = run.metrics().stream().filter(TrainingMetrics::learningHeld).toList();
        assertThat(held).as("metrics published while held").hasSizeGreaterThan(2);
        // Held: nothing of the stream is learnt (two batches in flight at the moment of the hold aside).
        assertThat(held.get(held.size() - 1).examplesSeen() - held.get(0).examplesSeen()).isLessThanOrEqualTo(32);
        assertThat(held.subList(1, held.size())).as("alerts go on while held")
                .allMatch(m -> m.alertRate() != null && m.alertRate() > 0.8);
        assertThat(run.model().learntMean()).as("the fault did not become normal").isLessThan(0.35f);
        TrainingMetrics last = run.metrics().get(run.metrics().size() - 1);
        assertThat(last.learningHeld()).isFalse();
        assertThat(last.driftPolicy()).isEqualTo("hold");
    }

    @Test
    void aStationaryStreamWithAnomaliesRaisesNoEvent() {
        Run run = run("hold", new double[][] {{BEFORE + AFTER, 0.3}});
        assertThat(run.events()).isEmpty();
        assertThat(run.metrics().get(run.metrics().size() - 1).driftPhase()).isEqualTo("STABLE");
    }
}
