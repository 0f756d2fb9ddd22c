package dev.streamae.it;

import dev.streamae.broker.LocalKafka;
import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScorerMetrics;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/** Starts the real topologies, with the real model, in this JVM against a real broker (shared by the end-to-end and dashboard tests). */
public final class StreamAeRunner {

    private StreamAeRunner() {
    }

    public static Map<String, String> config(Map<String, Object> clientProperties, Path stateDir, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        clientProperties.forEach((k, v) -> config.put(k, String.valueOf(v)));
        config.put("state.dir", stateDir.toString());
        return config;
    }

    /** {@link #config} as a properties file, for a {@code streamae} command in a {@link ChildProcess}. */
    static Path configFile(LocalKafka kafka, Path stateDir, Map<String, String> settings, Path file)
            throws IOException {
        StringBuilder props = new StringBuilder();
        config(kafka.clientProperties(), stateDir, settings)
                .forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, props);
        return file;
    }

    /**
     * Settings of a trainer a test kills: a killed trainer does not leave its group, and a short
     * session lets its successor in sooner.
     */
    static final Map<String, String> KILLED_TRAINER = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

    /**
     * The arguments of {@code streamae trainer} for a {@link ChildProcess} (so that a test can kill
     * it), its properties file and state in {@code dir}.
     */
    static String[] childTrainer(LocalKafka kafka, Path dir, Map<String, String> settings) throws IOException {
        Path config = configFile(kafka, dir.resolve("trainer-state"), settings, dir.resolve("trainer.properties"));
        return new String[] {"trainer", "--config", config.toString(), "--status-interval", "0"};
    }

    /** @param prometheus serving {@code /metrics} if the settings set {@code prometheus.port} */
    public record Trainer(StreamsApp app, TrainerMetrics metrics, AtomicLong badRecords, PrometheusEndpoint prometheus)
            implements AutoCloseable {
        @Override
        public void close() {
            prometheus.close();
            app.close();
        }
    }

    /** @param prometheus serving {@code /metrics} if the settings set {@code prometheus.port} */
    public record Scorer(StreamsApp app, ModelRegistry registry, ScorerMetrics metrics, AtomicLong badRecords,
                         PrometheusEndpoint prometheus) implements AutoCloseable {
        /** Tasks this instance processes now (one per {@code images} partition it owns). */
        long activeTasks() {
            return app.streams().metadataForLocalThreads().stream().mapToLong(t -> t.activeTasks().size()).sum();
        }

        /** The {@code images} partitions this instance processes now. */
        Set<Integer> imagesPartitions() {
            return app.streams().metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                    .flatMap(task -> task.topicPartitions().stream())
                    .filter(p -> p.topic().equals(Topics.IMAGES)).map(TopicPartition::partition)
                    .collect(Collectors.toSet());
        }

        @Override
        public void close() {
            prometheus.close();
            app.close();
        }
    }

    public static Trainer trainer(LocalKafka kafka, Path stateDir, Map<String, String> settingsMap) throws InterruptedException {
        return trainer(kafka.clientProperties(), stateDir, settingsMap);
    }

    /** The trainer against any broker: {@code clientProperties} has bootstrap.servers and what else clients need. */
    public static Trainer trainer(Map<String, Object> clientProperties, Path stateDir, Map<String, String> settingsMap)
            throws InterruptedException {
        Map<String, String> config = config(clientProperties, stateDir, settingsMap);
        StreamAeSettings settings = StreamAeSettings.from(config);
        TrainerMetrics metrics = new TrainerMetrics();
        AtomicLong bad = metrics.badRecordsCounter();
        StreamsApp app = new StreamsApp("trainer", TrainerTopology.build(settings, ModelFactory.of(settings), metrics),
                StreamsProperties.trainer(config.get("bootstrap.servers"), config, bad));
        // As the trainer command does: metrics served before the app starts.
        PrometheusEndpoint prometheus = PrometheusEndpoint.start(app, settings);
        app.start(Duration.ofSeconds(60));
        return new Trainer(app, metrics, bad, prometheus);
    }

    public static Scorer scorer(LocalKafka kafka, Path stateDir, Map<String, String> settingsMap) throws InterruptedException {
        return scorer(kafka.clientProperties(), stateDir, settingsMap);
    }

    /** A scorer against any broker, like {@link #trainer(Map, Path, Map)}. */
    public static Scorer scorer(Map<String, Object> clientProperties, Path stateDir, Map<String, String> settingsMap)
            throws InterruptedException {
        Map<String, String> config = config(clientProperties, stateDir, settingsMap);
        StreamAeSettings settings = StreamAeSettings.from(config);
        ScorerMetrics metrics = new ScorerMetrics();
        ModelRegistry registry = new ModelRegistry(settings, ModelFactory.of(settings));
        AtomicLong bad = metrics.badRecordsCounter();
        StreamsApp app = new StreamsApp("scorer", ScorerTopology.build(settings, registry, metrics),
                StreamsProperties.scorer(config.get("bootstrap.servers"), config, bad));
        PrometheusEndpoint prometheus = PrometheusEndpoint.start(app, settings);
        app.start(Duration.ofSeconds(60));
        return new Scorer(app, registry, metrics, bad, prometheus);
    }
}
