package dev.streamae.streams;

import dev.streamae.model.Calibration;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.ModelState;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsConfig;

/** Shared fixtures of the TopologyTestDriver tests: a tiny 2x2-image model and its settings. */
final class TopologyTestSupport {

    /** 4 inputs (a 2x2 image), a 2-unit code. */
    static final StreamAeSettings SETTINGS = StreamAeSettings.from(Map.ofEntries(
            Map.entry("model.layers", "4-3-2"),
            Map.entry("model.metric", "mse"),
            Map.entry("train.batch.size", "4"),
            Map.entry("publish.every.steps", "2"),
            Map.entry("publish.interval.ms", "1000"),
            Map.entry("train.partial.batch.ms", "500"),
            Map.entry("calibration.window", "200"),
            Map.entry("alert.false.alarm.rate", "0.1"),
            Map.entry("warmup.examples", "8"),
            Map.entry("score.batch.size", "4"),
            Map.entry("score.max.delay.ms", "20")));

    private TopologyTestSupport() {
    }

    static Properties driverProperties(String applicationId, AtomicLong badRecords, boolean deadLetters) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // Its own state directory: the default /tmp/kafka-streams/<app> is shared with any other run.
        try {
            p.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("streamae-ttd").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, BadRecordHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, BadRecordHandlers.Processing.class.getName());
        p.put(BadRecordHandlers.COUNTER_CONFIG, badRecords);
        if (deadLetters) {
            p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.IMAGES_DLQ);
        }
        return p;
    }

    static String pixelsJson(String id, float... pixels) {
        StringBuilder sb = new StringBuilder("{\"id\":\"" + id + "\",\"pixels\":[");
        for (int i = 0; i < pixels.length; i++) {
            sb.append(i == 0 ? "" : ",").append(pixels[i]);
        }
        return sb.append("]}").toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A published snapshot of the fake model whose learnt mean brightness is {@code mean}. */
    static byte[] snapshot(StreamAeSettings settings, long version, long examplesSeen, double threshold, float mean) {
        return snapshot(settings, settings.modelName(), version, examplesSeen, threshold, mean);
    }

    /** The same, of the model named {@code model}. */
    static byte[] snapshot(StreamAeSettings settings, String model, long version, long examplesSeen, double threshold,
                           float mean) {
        float[] params = new float[(int) settings.architecture().parameterCount()];
        params[0] = mean;
        params[1] = examplesSeen;
        ModelState state = new ModelState(settings.architecture(), params, null, version);
        long toWarmUp = Math.max(0, settings.warmupExamples() - examplesSeen);
        return SnapshotCodec.unsigned().encode(Snapshot.of(model, version, state, ErrorMetric.MSE,
                examplesSeen, toWarmUp, calibration(threshold, settings.falseAlarmRate()), Instant.ofEpochMilli(1000)));
    }

    /**
     * A calibration whose threshold at {@code rate} is {@code threshold}: p-value 1 up to a quarter
     * of it, {@code rate} at it, falling exponentially beyond.
     */
    static Calibration calibration(double threshold, double rate) {
        return new Calibration(new double[] {threshold / 4, threshold}, new double[] {0, Math.log(rate)}, threshold / 10,
                0, 1000);
    }
}
