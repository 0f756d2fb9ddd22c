package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.bytes;
import static dev.streamae.streams.TopologyTestSupport.pixelsJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The alert rule through both topologies at each contamination level, on seeded streams of 2x2
 * images: normal ones with pixels around 0.3, anomalies around 0.9. The trainer (with the
 * deterministic fake model, whose error is an image's distance from the mean it has learnt)
 * calibrates and skips; its last snapshot then scores a fresh seeded stream in the scorer. Bounds,
 * not exact values: what must hold is that the false-alarm rate stays near the target whatever the
 * contamination, that anomalies are caught and not learnt, and that the estimates are honest.
 */
class AlertsTopologyTest {

    private static final double RATE = 0.02;
    private static final int TRAINING_IMAGES = 10_000;
    private static final StreamAeSettings SETTINGS = TopologyTestSupport.SETTINGS.with(Map.of(
            "train.batch.size", "16", "calibration.window", "5000", "publish.every.steps", "10",
            "warmup.examples", "400", "alert.false.alarm.rate", Double.toString(RATE)));

    /** A normal image (pixels 0.3 +- 0.08) or an anomaly (0.9 +- 0.05). */
    private static float[] image(SplittableRandom r, boolean anomaly) {
        float[] pixels = new float[4];
        for (int i = 0; i < 4; i++) {
            double v = anomaly ? 0.9 + 0.05 * r.nextGaussian() : 0.3 + 0.08 * r.nextGaussian();
            pixels[i] = (float) Math.max(0, Math.min(1, v));
        }
        return pixels;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.01, 0.03, 0.1})
    void falseAlarmsStayNearTheTargetAndAnomaliesAreCaughtAndNotLearnt(double contamination) {
        TrainerMetrics trainerMetrics = new TrainerMetrics();
        FakeAutoencoder[] trained = new FakeAutoencoder[1];
        SplittableRandom r = new SplittableRandom(42 + (long) (contamination * 1000));
        int injected = 0;
        byte[] lastSnapshot;
        TrainingMetrics last;
        try (TopologyTestDriver trainer = new TopologyTestDriver(TrainerTopology.build(SETTINGS,
                (architecture, metric) -> trained[0] = new FakeAutoencoder(architecture, metric), trainerMetrics,
                TrainingProcessor.StepThread.CALLER), TopologyTestSupport.driverProperties("alerts-trainer",
                new AtomicLong(), false))) {
            TestInputTopic<String, byte[]> images = trainer.createInputTopic(Topics.IMAGES, new StringSerializer(),
                    new ByteArraySerializer());
            for (int i = 0; i < TRAINING_IMAGES; i++) {
                boolean anomaly = r.nextDouble() < contamination;
                injected += anomaly ? 1 : 0;
                images.pipeInput("t-" + i, bytes(pixelsJson("t-" + i, image(r, anomaly))));
            }
            trainer.advanceWallClockTime(Duration.ofMillis(600));
            trainer.advanceWallClockTime(Duration.ofMillis(1100));
            List<byte[]> models = trainer.createOutputTopic(Topics.MODELS, new StringDeserializer(),
                    new ByteArrayDeserializer()).readValuesToList();
            lastSnapshot = models.get(models.size() - 1);
            List<TrainingMetrics> metrics = trainer.createOutputTopic(Topics.TRAINING_METRICS, new StringDeserializer(),
                    JsonSerde.of(TrainingMetrics.class).deserializer()).readValuesToList();
            last = metrics.get(metrics.size() - 1);
        }

        assertThat(last.alerting()).isTrue();
        assertThat(last.falseAlarmRate()).isEqualTo(RATE);
        assertThat(last.contamination()).as("estimated contamination").isBetween(contamination * 0.5,
                contamination * 1.5 + 0.01);
        // Anomalies after the first calibration are not learnt; those of the warm-up were.
        assertThat(last.skippedAnomalies()).as("images not learnt")
                .isBetween((long) (injected * 0.8), (long) (injected + 3 * RATE * TRAINING_IMAGES));
        assertThat(last.examplesSeen() + last.skippedAnomalies()).isEqualTo(TRAINING_IMAGES);
        assertThat(trained[0].learntMean()).as("the model's idea of normal stays near 0.3").isBetween(0.27f, 0.33f);

        // The last model scores a fresh stream; its alerts against the truth.
        ScorerMetrics scorerMetrics = new ScorerMetrics();
        ModelRegistry registry = new ModelRegistry(SETTINGS, FakeAutoencoder.factory());
        long normal = 0;
        long falseAlarms = 0;
        long anomalies = 0;
        long caught = 0;
        try (TopologyTestDriver scorer = new TopologyTestDriver(ScorerTopology.build(SETTINGS, registry, scorerMetrics),
                TopologyTestSupport.driverProperties("alerts-scorer", scorerMetrics.badRecordsCounter(), true))) {
            scorer.createInputTopic(Topics.MODELS, new StringSerializer(), new ByteArraySerializer())
                    .pipeInput(SETTINGS.modelName(), lastSnapshot);
            TestInputTopic<String, byte[]> images = scorer.createInputTopic(Topics.IMAGES, new StringSerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, ScoreRecord> scores = scorer.createOutputTopic(Topics.IMAGE_SCORES,
                    new StringDeserializer(), JsonSerde.of(ScoreRecord.class).deserializer());
            SplittableRandom fresh = new SplittableRandom(7);
            for (int i = 0; i < 5_000; i++) {
                boolean anomaly = fresh.nextDouble() < Math.max(contamination, 0.01);
                String id = (anomaly ? "a-" : "n-") + i;
                images.pipeInput(id, bytes(pixelsJson(id, image(fresh, anomaly))));
                if (i % 256 == 255) {
                    scorer.advanceWallClockTime(Duration.ofMillis(25));
                }
            }
            scorer.advanceWallClockTime(Duration.ofMillis(25));
            for (var kv : scores.readKeyValuesToList()) {
                ScoreRecord s = kv.value;
                assertThat(s.status()).isEqualTo(ScoreRecord.Status.READY);
                assertThat(s.anomaly()).isEqualTo(s.pValue() < RATE);
                if (kv.key.startsWith("a-")) {
                    anomalies++;
                    caught += s.anomaly() ? 1 : 0;
                } else {
                    normal++;
                    falseAlarms += s.anomaly() ? 1 : 0;
                }
            }
        }
        assertThat(normal + anomalies).isEqualTo(5_000);
        double far = (double) falseAlarms / normal;
        assertThat(far / RATE).as("false-alarm rate / target, %d of %d normal images", falseAlarms, normal)
                .isBetween(0.5, 1.5);
        assertThat((double) caught / anomalies).as("recall").isGreaterThan(0.95);
    }
}
