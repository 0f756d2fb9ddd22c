package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.model.Architecture;
import dev.streamae.model.EngineChoice;
import dev.streamae.model.ErrorMetric;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StreamAeSettingsTest {

    @Test
    void defaultsAreTheSeedNetworkAndDocumentedValues() {
        StreamAeSettings s = StreamAeSettings.defaults();
        assertThat(s.architecture()).isEqualTo(Architecture.SEED);
        assertThat(s.width()).isEqualTo(28);
        assertThat(s.height()).isEqualTo(28);
        assertThat(s.metric()).isEqualTo(ErrorMetric.BCE);
        assertThat(s.engine()).isEqualTo(EngineChoice.AUTO);
        assertThat(s.learningRate()).isEqualTo(0.005);
        assertThat(s.batchSize()).isEqualTo(64);
        assertThat(s.falseAlarmRate()).isEqualTo(0.004);
        assertThat(s.calibrationWindow()).isEqualTo(10_000);
        assertThat(s.skipAnomalies()).isTrue();
        assertThat(s.signingKey()).isNull();
    }

    @Test
    void everyKeyIsReadAndRoundTrips() {
        Map<String, String> config = new HashMap<>();
        config.put("model.name", "digits");
        config.put("model.layers", "600-64-8-3");
        config.put("model.metric", "mae");
        config.put("model.engine", "DL4J");
        config.put("image.width", "30");
        config.put("image.height", "20");
        config.put("train.learning.rate", "0.001");
        config.put("train.batch.size", "32");
        config.put("train.seed", "7");
        config.put("train.sample.rate", "0.25");
        config.put("train.skip.anomalies", "false");
        config.put("train.partial.batch.ms", "250");
        config.put("alert.false.alarm.rate", "0.01");
        config.put("calibration.window", "500");
        config.put("publish.every.steps", "10");
        config.put("publish.interval.ms", "750");
        config.put("snapshot.include.optimiser", "true");
        config.put("snapshot.signing.key", "0123456789abcdef-key");
        config.put("warmup.examples", "100");
        config.put("score.batch.size", "128");
        config.put("score.max.delay.ms", "5");
        config.put("prometheus.port", "9464");
        config.put("prometheus.instance", "scorer-1");
        config.put("drift.policy", "HOLD");
        config.put("models.allowed", "digits, line-2");
        config.put("models.max", "8");
        config.put("models.fallback", "line-2");
        config.put("models.idle.evict.ms", "30000");
        config.put("models.history.versions", "3");
        config.put("models.history.interval.ms", "1000");
        config.put("training.partitions", "4");
        assertThat(config.keySet()).containsExactlyInAnyOrderElementsOf(StreamAeSettings.DEFAULTS.keySet());

        StreamAeSettings s = StreamAeSettings.from(config);
        assertThat(s.modelName()).isEqualTo("digits");
        assertThat(s.driftPolicy()).isEqualTo(dev.streamae.model.DriftPolicy.HOLD);
        assertThat(s.models()).isEqualTo(new ModelRouting("digits", java.util.Set.of("digits", "line-2"), 8, "line-2",
                java.time.Duration.ofSeconds(30), 3, java.time.Duration.ofSeconds(1), 4));
        assertThat(s.architecture()).isEqualTo(Architecture.parse("600-64-8-3"));
        assertThat(s.metric()).isEqualTo(ErrorMetric.MAE);
        assertThat(s.engine()).isEqualTo(EngineChoice.DL4J);
        assertThat(s.width() * s.height()).isEqualTo(600);
        assertThat(s.learningRate()).isEqualTo(0.001);
        assertThat(s.batchSize()).isEqualTo(32);
        assertThat(s.seed()).isEqualTo(7);
        assertThat(s.sampleRate()).isEqualTo(0.25);
        assertThat(s.skipAnomalies()).isFalse();
        assertThat(s.partialBatchAfter()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.falseAlarmRate()).isEqualTo(0.01);
        assertThat(s.calibrationWindow()).isEqualTo(500);
        assertThat(s.publishEverySteps()).isEqualTo(10);
        assertThat(s.publishInterval()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.snapshotWithOptimiser()).isTrue();
        assertThat(new String(s.signingKey(), StandardCharsets.UTF_8)).isEqualTo("0123456789abcdef-key");
        assertThat(s.warmupExamples()).isEqualTo(100);
        assertThat(s.scoreBatchSize()).isEqualTo(128);
        assertThat(s.scoreMaxDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(s.prometheusPort()).isEqualTo(9464);
        assertThat(s.prometheusInstance()).isEqualTo("scorer-1");
        assertThat(StreamAeSettings.from(s.toMap())).usingRecursiveComparison().isEqualTo(s);
        assertThat(StreamAeSettings.defaults().prometheusPort()).as("metrics are off by default").isNull();
        assertThat(StreamAeSettings.from(StreamAeSettings.defaults().toMap()).prometheusPort()).isNull();
    }

    @Test
    void retiredKeysStopTheStartNamingWhatReplacedThem() {
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("threshold.quantile", "0.99")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold.quantile is no longer a setting")
                .hasMessageContaining("alert.false.alarm.rate");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("threshold.window", "2000")))
                .hasMessageContaining("renamed calibration.window");
    }

    @Test
    void badValuesFailNamingTheKey() {
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("train.batch.size", "many")))
                .hasMessageContaining("train.batch.size");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("alert.false.alarm.rate", "0.5")))
                .hasMessageContaining("alert.false.alarm.rate");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("calibration.window", "100")))
                .hasMessageContaining("calibration.window must be in [200, ");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("model.metric", "l2")))
                .hasMessageContaining("l2");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("model.layers", "700-10-3")))
                .hasMessageContaining("image.width");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("train.skip.anomalies", "yes")))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("model.engine", "gpu")))
                .hasMessage("model.engine must be auto, vector or dl4j, got 'gpu'");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("prometheus.port", "65536")))
                .hasMessage("prometheus.port must be a port number (0: any free port) or empty (off), got 65536");
        assertThatThrownBy(() -> StreamAeSettings.from(Map.of("prometheus.port", "auto")))
                .hasMessageContaining("prometheus.port must be a whole number");
    }

    @Test
    void kafkaSettingsPassThroughAndStreamAeKeysDoNot() {
        Map<String, String> user = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "commit.interval.ms", "250", "model.metric", "mse", "prometheus.port", "9464");
        var trainer = StreamsProperties.trainer("b:9092", user, new AtomicLong());
        var scorer = StreamsProperties.scorer("b:9092", user, new AtomicLong());
        assertThat(trainer).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("commit.interval.ms", "250").containsEntry("processing.guarantee", "exactly_once_v2")
                .doesNotContainKey("model.metric").doesNotContainKey("prometheus.port")
                .as("the trainer dead-letters refused verdicts and models beyond models.max, and only those")
                .containsEntry("errors.dead.letter.queue.topic.name", Topics.IMAGES_DLQ)
                .containsEntry(BadRecordHandlers.DEAD_LETTER_SOURCES_CONFIG,
                        Topics.FEEDBACK + ",streamae-trainer-training-repartition")
                .containsEntry("producer.batch.size", "262144");
        assertThat(StreamsProperties.trainer("b:9092", Map.of("producer.batch.size", "65536"), new AtomicLong()))
                .as("the user's setting wins").containsEntry("producer.batch.size", "65536");
        assertThat(List.of(trainer, scorer)).as("every task reads one partition: no idling")
                .allSatisfy(p -> assertThat(p).containsEntry("max.task.idle.ms", "-1"));
        assertThat(trainer).as("one sequential SGD stream").containsEntry("num.stream.threads", "1");
        assertThat(scorer).as("one scores while the other commits").containsEntry("num.stream.threads", "2");
        assertThat(scorer).containsEntry("errors.dead.letter.queue.topic.name", Topics.IMAGES_DLQ)
                .containsEntry("application.id", ScorerTopology.APPLICATION_ID);
    }
}
