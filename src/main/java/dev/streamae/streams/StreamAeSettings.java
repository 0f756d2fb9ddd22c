package dev.streamae.streams;

import dev.streamae.model.Architecture;
import dev.streamae.model.CalibrationFit;
import dev.streamae.model.DriftPolicy;
import dev.streamae.model.EngineChoice;
import dev.streamae.model.ErrorWindow;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * StreamAE's own settings for both topologies, read from the flat key/value configuration (file,
 * then environment, then flags: see {@code dev.streamae.cli.ConfigLoader}). Every key, its default
 * and its meaning is listed in {@link #DEFAULTS}; anything not listed here is a Kafka setting.
 *
 * @param modelName key of the model in {@code models} and {@code training-metrics}
 * @param architecture layer sizes, input first
 * @param width image width the model expects
 * @param height image height the model expects
 * @param metric per-image error metric for thresholds and scores
 * @param engine which implementation computes the model (auto: vector engine, else DL4J)
 * @param learningRate Adam's learning rate
 * @param batchSize training mini-batch size
 * @param seed seed of the initial weights
 * @param sampleRate fraction of images the trainer learns from (deterministic by image id)
 * @param skipAnomalies do not learn from images the current calibration flags
 * @param partialBatchAfter train a partial mini-batch once its oldest example waited this long
 * @param falseAlarmRate the fraction of normal images allowed to raise an alert: an image is an
 *     anomaly when its p-value is below it
 * @param calibrationWindow how many recent prequential errors the calibration is fitted to
 * @param publishEverySteps publish a snapshot after this many optimiser steps
 * @param publishInterval ... or after this much time with at least one new step
 * @param snapshotWithOptimiser include Adam's state in published snapshots
 * @param signingKey HMAC-SHA256 key for snapshots, or null for unsigned snapshots
 * @param warmupExamples no alerts (and no skipping) before the model has learnt this many examples
 * @param scoreBatchSize the scorer scores when this many images are buffered...
 * @param scoreMaxDelay ... or when the oldest buffered image waited this long
 * @param prometheusPort port of the {@code /metrics} endpoint of a trainer or scorer (0: any free
 *     port), or null for none
 * @param prometheusInstance the {@code instance} label of every exported series, or empty for
 *     {@code <host name>:<port>}
 * @param driftPolicy what the trainer does about a lasting change of the stream (adapt or hold)
 * @param models which model each image belongs to, and how many models a deployment keeps
 */
public record StreamAeSettings(String modelName, Architecture architecture, int width, int height, ErrorMetric metric,
                               EngineChoice engine, double learningRate, int batchSize, long seed, double sampleRate,
                               boolean skipAnomalies, Duration partialBatchAfter, double falseAlarmRate,
                               int calibrationWindow, int publishEverySteps, Duration publishInterval,
                               boolean snapshotWithOptimiser,
                               byte[] signingKey, long warmupExamples, int scoreBatchSize, Duration scoreMaxDelay,
                               Integer prometheusPort, String prometheusInstance, DriftPolicy driftPolicy,
                               ModelRouting models) {

    /** Every StreamAE key with its default value and meaning, in documentation order. */
    public static final Map<String, String[]> DEFAULTS = new LinkedHashMap<>();

    static {
        key("model.name", "streamae", "The model of images that name none (their model field): its key in the models, training-metrics and model-events topics.");
        key("model.layers", "784-128-64-12-3", "Encoder layer sizes, input first, code last; the decoder mirrors them.");
        key("model.metric", "bce", "Per-image reconstruction error: bce (best measured separation), mse (the training loss) or mae.");
        key("model.engine", "auto", "Engine that computes the model: auto (vector when the JVM has jdk.incubator.vector, else DL4J with a warning), vector (stops at start-up without it) or dl4j.");
        key("image.width", "", "Image width the model expects (default: the square root of the input size).");
        key("image.height", "", "Image height the model expects (default: the square root of the input size).");
        key("train.learning.rate", "0.005", "Adam learning rate.");
        key("train.batch.size", "64", "Training mini-batch size.");
        key("train.seed", "1", "Seed of the initial weights.");
        key("train.sample.rate", "1.0", "Fraction of images the trainer learns from, chosen by a hash of the image id.");
        key("train.skip.anomalies", "true", "Do not learn from images the current (warmed-up) model flags as anomalies.");
        key("train.partial.batch.ms", "1000", "Train a partial mini-batch once its oldest image has waited this long.");
        key("alert.false.alarm.rate", "0.004", "Fraction of normal images allowed to raise an alert: an image is an anomaly when its p-value is below this.");
        key("calibration.window", "10000", "Number of recent prequential errors the calibration of normal errors is fitted to.");
        key("publish.every.steps", "50", "Publish a model snapshot after this many optimiser steps.");
        key("publish.interval.ms", "5000", "... or after this many milliseconds, if the model changed.");
        key("snapshot.include.optimiser", "false", "Include Adam's state in published snapshots (2.4 MB instead of 0.9 MB).");
        key("snapshot.signing.key", "", "HMAC-SHA256 key: the trainer signs snapshots, the scorer rejects unsigned or badly signed ones.");
        key("warmup.examples", "2000", "No alerts (and no skipped anomalies) before the model has learnt this many images.");
        key("drift.policy", "adapt", "When the stream's normal changes for good: adapt (re-fit the calibration to the new normal and keep learning) or hold (stop learning and keep alerting until the stream is back).");
        key("models.allowed", "", "Comma-separated model names images may name; empty: any valid name (letters, digits, '.', '_', '-'). Images naming another are dead-lettered.");
        key("models.max", "32", "Most models the trainer keeps: images of a further model are dead-lettered by the trainer (and scored by models.fallback, if set).");
        key("models.fallback", "", "A model that learns from every stream and scores the images of models with no snapshot yet; empty: none (such images are scored NO_MODEL).");
        key("models.idle.evict.ms", "600000", "A model the trainer has had no image of for this long leaves its memory (restored from its state on the next image).");
        key("models.history.versions", "10", "Published versions kept per model in model-history, for rollback.");
        key("models.history.interval.ms", "60000", "At least this long between two versions kept in model-history.");
        key("training.partitions", "6", "Partitions of the training topic, keyed by model name: the most trainer tasks that train at once. Fixed when first created: an existing topic keeps its count (changing it needs Kafka's streams reset tool).");
        key("score.batch.size", "256", "The scorer scores a batch once this many images are buffered ...");
        key("score.max.delay.ms", "10", "... or once the slot of this many milliseconds its oldest image arrived in is over, and then commits (scores are visible within 1.4 times this, plus the commit).");
        key("prometheus.port", "", "Serve /metrics in the Prometheus text format on this port (0: any free port, logged); empty: off.");
        key("prometheus.instance", "", "The instance label of every exported series (default: host name:port).");
    }

    private static void key(String name, String defaultValue, String doc) {
        DEFAULTS.put(name, new String[] {defaultValue, doc});
    }

    public StreamAeSettings {
        java.util.Objects.requireNonNull(models, "models");
        if (!models.defaultModel().equals(modelName)) {
            throw new IllegalArgumentException("model.name '" + modelName + "' differs from the routing's default model '"
                    + models.defaultModel() + "'");
        }
        if (width * height != architecture.inputSize()) {
            throw new IllegalArgumentException("image.width x image.height = " + width + "x" + height
                    + " does not match the model's input size " + architecture.inputSize());
        }
        require(learningRate > 0, "train.learning.rate must be positive");
        require(batchSize >= 1, "train.batch.size must be at least 1");
        require(sampleRate > 0 && sampleRate <= 1, "train.sample.rate must be in (0, 1]");
        require(falseAlarmRate > 0 && falseAlarmRate < 0.5, "alert.false.alarm.rate must be in (0, 0.5)");
        require(calibrationWindow >= CalibrationFit.MIN_ERRORS && calibrationWindow <= ErrorWindow.MAX_CAPACITY,
                "calibration.window must be in [" + CalibrationFit.MIN_ERRORS + ", " + ErrorWindow.MAX_CAPACITY + "]");
        require(publishEverySteps >= 1, "publish.every.steps must be at least 1");
        require(warmupExamples >= 0, "warmup.examples must not be negative");
        require(scoreBatchSize >= 1, "score.batch.size must be at least 1");
        require(prometheusPort == null || (prometheusPort >= 0 && prometheusPort <= 65_535),
                "prometheus.port must be a port number (0: any free port) or empty (off), got " + prometheusPort);
        prometheusInstance = prometheusInstance == null ? "" : prometheusInstance;
        // Checked here, at start-up: otherwise a short key would only fail when the first snapshot is
        // signed (trainer) or checked (scorer, which would then reject every snapshot).
        require(signingKey == null || signingKey.length >= SnapshotCodec.MIN_KEY_BYTES,
                "snapshot.signing.key must be at least " + SnapshotCodec.MIN_KEY_BYTES + " bytes (UTF-8), got "
                        + (signingKey == null ? 0 : signingKey.length));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Settings with every default. */
    public static StreamAeSettings defaults() {
        return from(Map.of());
    }

    /**
     * Keys StreamAE no longer reads, with what replaced them: set, they stop the start, since
     * passing them on to Kafka as unknown settings would silently change what users get.
     */
    static final Map<String, String> RETIRED = Map.of(
            "threshold.quantile", "alerts are now set by the false-alarm rate you can afford: use alert.false.alarm.rate "
                    + "(e.g. 0.005 for about 1 alert per 200 normal images) instead",
            "threshold.window", "renamed calibration.window");

    /** Reads StreamAE's keys from {@code config}; missing keys take their defaults, other keys are ignored. */
    public static StreamAeSettings from(Map<String, String> config) {
        for (Map.Entry<String, String> retired : RETIRED.entrySet()) {
            if (config.containsKey(retired.getKey())) {
                throw new IllegalArgumentException(retired.getKey() + " is no longer a setting: " + retired.getValue());
            }
        }
        Reader r = new Reader(config);
        Architecture architecture = Architecture.parse(r.string("model.layers"));
        int side = architecture.side();
        int width = r.string("image.width").isEmpty() ? side : r.integer("image.width");
        int height = r.string("image.height").isEmpty() ? side : r.integer("image.height");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("input size " + architecture.inputSize()
                    + " is not a square: set image.width and image.height");
        }
        String key = r.string("snapshot.signing.key");
        return new StreamAeSettings(r.string("model.name"), architecture, width, height,
                ErrorMetric.parse(r.string("model.metric")), EngineChoice.parse(r.string("model.engine")),
                r.decimal("train.learning.rate"),
                r.integer("train.batch.size"), r.longValue("train.seed"), r.decimal("train.sample.rate"),
                r.bool("train.skip.anomalies"), Duration.ofMillis(r.longValue("train.partial.batch.ms")),
                r.decimal("alert.false.alarm.rate"), r.integer("calibration.window"), r.integer("publish.every.steps"),
                Duration.ofMillis(r.longValue("publish.interval.ms")), r.bool("snapshot.include.optimiser"),
                key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8), r.longValue("warmup.examples"),
                r.integer("score.batch.size"), Duration.ofMillis(r.longValue("score.max.delay.ms")),
                r.string("prometheus.port").isEmpty() ? null : r.integer("prometheus.port"), r.string("prometheus.instance"),
                DriftPolicy.of(r.string("drift.policy")),
                new ModelRouting(r.string("model.name"), r.list("models.allowed"), r.integer("models.max"),
                        r.string("models.fallback"), Duration.ofMillis(r.longValue("models.idle.evict.ms")),
                        r.integer("models.history.versions"), Duration.ofMillis(r.longValue("models.history.interval.ms")),
                        r.integer("training.partitions")));
    }

    /** True when {@code key} is one of StreamAE's own keys rather than a Kafka setting. */
    public static boolean isOwnKey(String key) {
        return DEFAULTS.containsKey(key);
    }

    private record Reader(Map<String, String> config) {

        String string(String key) {
            String value = config.get(key);
            return value == null ? DEFAULTS.get(key)[0] : value.trim();
        }

        java.util.Set<String> list(String key) {
            java.util.Set<String> out = new java.util.LinkedHashSet<>();
            for (String part : string(key).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }

        int integer(String key) {
            long v = longValue(key);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " is out of range: " + v);
            }
            return (int) v;
        }

        long longValue(String key) {
            try {
                return Long.parseLong(string(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + string(key) + "'");
            }
        }

        double decimal(String key) {
            try {
                double v = Double.parseDouble(string(key));
                if (!Double.isFinite(v)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + string(key) + "'");
            }
        }

        boolean bool(String key) {
            String v = string(key).toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException(key + " must be true or false, got '" + string(key) + "'");
            }
            return Boolean.parseBoolean(v);
        }
    }

    /** A copy with some keys changed, for tests and the demo. */
    public StreamAeSettings with(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(toMap());
        all.putAll(overrides);
        return from(all);
    }

    /** These settings as configuration keys. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model.name", modelName);
        m.put("model.layers", architecture.toString());
        m.put("model.metric", metric.id());
        m.put("model.engine", engine.id());
        m.put("image.width", Integer.toString(width));
        m.put("image.height", Integer.toString(height));
        m.put("train.learning.rate", Double.toString(learningRate));
        m.put("train.batch.size", Integer.toString(batchSize));
        m.put("train.seed", Long.toString(seed));
        m.put("train.sample.rate", Double.toString(sampleRate));
        m.put("train.skip.anomalies", Boolean.toString(skipAnomalies));
        m.put("train.partial.batch.ms", Long.toString(partialBatchAfter.toMillis()));
        m.put("alert.false.alarm.rate", Double.toString(falseAlarmRate));
        m.put("calibration.window", Integer.toString(calibrationWindow));
        m.put("publish.every.steps", Integer.toString(publishEverySteps));
        m.put("publish.interval.ms", Long.toString(publishInterval.toMillis()));
        m.put("snapshot.include.optimiser", Boolean.toString(snapshotWithOptimiser));
        m.put("snapshot.signing.key", signingKey == null ? "" : new String(signingKey, StandardCharsets.UTF_8));
        m.put("warmup.examples", Long.toString(warmupExamples));
        m.put("drift.policy", driftPolicy.id());
        m.put("models.allowed", String.join(",", models.allowed().stream().sorted().toList()));
        m.put("models.max", Integer.toString(models.max()));
        m.put("models.fallback", models.fallback());
        m.put("models.idle.evict.ms", Long.toString(models.idleEviction().toMillis()));
        m.put("models.history.versions", Integer.toString(models.historyVersions()));
        m.put("models.history.interval.ms", Long.toString(models.historyInterval().toMillis()));
        m.put("training.partitions", Integer.toString(models.trainingPartitions()));
        m.put("score.batch.size", Integer.toString(scoreBatchSize));
        m.put("score.max.delay.ms", Long.toString(scoreMaxDelay.toMillis()));
        m.put("prometheus.port", prometheusPort == null ? "" : Integer.toString(prometheusPort));
        m.put("prometheus.instance", prometheusInstance);
        return m;
    }
}
