package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.streams.BadRecordHandlers;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TrainerTopology;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code streamae trainer}, {@code streamae scorer} and {@code streamae demo} run with when
 * started from the repository is what the README documents: the shipped {@code config/*.properties}
 * files, loaded the way the commands load them and turned into the Kafka Streams properties and
 * StreamAE settings the commands build, must give the documented defaults. A shipped file that
 * repeats a default with another value (as {@code num.stream.threads=1} once did in the scorer's)
 * fails here. The environment is left out on purpose: the claim is about the shipped files.
 *
 * <p>StreamAE's own keys are compared with {@link StreamAeSettings#DEFAULTS}, which
 * {@link ReadmeTest} ties to the README's configuration table. The Kafka Streams defaults are
 * compared with {@link #DOCUMENTED_STREAMS_DEFAULTS}, the settings the README's Configuration
 * section lists under "Kafka Streams defaults StreamAE sets".
 */
class ShippedConfigTest {

    private static final String NOT_SET = "-";

    /**
     * Kafka Streams and client settings StreamAE sets, as documented in the README: key, trainer,
     * scorer ({@value #NOT_SET}: not set, Kafka's own default applies).
     */
    static final String[][] DOCUMENTED_STREAMS_DEFAULTS = {
            {"processing.guarantee", "exactly_once_v2", "exactly_once_v2"},
            {"deserialization.exception.handler", BadRecordHandlers.Deserialization.class.getName(),
                    BadRecordHandlers.Deserialization.class.getName()},
            {"processing.exception.handler", BadRecordHandlers.Processing.class.getName(),
                    BadRecordHandlers.Processing.class.getName()},
            {"processing.exception.handler.global.enabled", "true", "true"},
            {"main.consumer.processing.exception.handler.global.enabled", "true", "true"},
            {"errors.dead.letter.queue.topic.name", "images-dlq", "images-dlq"},
            {"commit.interval.ms", "1000", "100"},
            {"producer.retry.backoff.ms", NOT_SET, "10"},
            {"statestore.cache.max.bytes", Long.toString(32L << 20), NOT_SET},
            {"producer.max.request.size", Long.toString(10L << 20), Long.toString(10L << 20)},
            {"producer.batch.size", Integer.toString(256 << 10), NOT_SET},
            {"num.stream.threads", "1", "2"},
            {"max.task.idle.ms", "-1", "-1"},
    };

    /** Set by the shipped files for where the service runs, not defaults. */
    private static final String[] SITE_KEYS = {"bootstrap.servers", "state.dir"};

    private static Map<String, String> shipped(String file) {
        return ConfigLoader.load(Path.of("config", file), Map.of(), Map.of());
    }

    private static Map<String, String> documented(int column) {
        Map<String, String> out = new HashMap<>();
        for (String[] row : DOCUMENTED_STREAMS_DEFAULTS) {
            if (!row[column].equals(NOT_SET)) {
                out.put(row[0], row[column]);
            }
        }
        return out;
    }

    /** The two apps: the shipped file each command loads and the Streams properties it builds from it. */
    enum App {
        TRAINER("trainer.properties", TrainerTopology.APPLICATION_ID, 1, StreamsProperties::trainer),
        SCORER("scorer.properties", ScorerTopology.APPLICATION_ID, 2, StreamsProperties::scorer);

        interface Builder {
            Properties build(String bootstrapServers, Map<String, String> config, AtomicLong badRecords);
        }

        final String file;
        final String applicationId;
        final int column;
        final Builder builder;

        App(String file, String applicationId, int column, Builder builder) {
            this.file = file;
            this.applicationId = applicationId;
            this.column = column;
            this.builder = builder;
        }

        /** The properties the command hands to Kafka Streams, less the ones that say where and who it is. */
        Map<String, Object> streamsDefaults(Map<String, String> config) {
            Map<String, Object> out = new HashMap<>();
            builder.build(config.get("bootstrap.servers"), config, new AtomicLong()).forEach((k, v) -> out.put((String) k, v));
            assertThat(out.remove("application.id")).isEqualTo(applicationId);
            assertThat(out.remove(BadRecordHandlers.COUNTER_CONFIG)).isInstanceOf(AtomicLong.class);
            // The trainer's bad images are the scorer's to dead-letter; its refused verdicts and the
            // models beyond models.max its own.
            assertThat(out.remove(BadRecordHandlers.DEAD_LETTER_SOURCES_CONFIG))
                    .isEqualTo(this == TRAINER ? "feedback,streamae-trainer-training-repartition" : null);
            for (String key : SITE_KEYS) {
                assertThat(out.remove(key)).as(key).isEqualTo(config.get(key));
            }
            return out;
        }

        Map<String, String> documentedDefaults() {
            return documented(column);
        }
    }

    @ParameterizedTest
    @EnumSource(App.class)
    void theShippedConfigurationRunsAtTheDocumentedDefaults(App app) {
        Map<String, String> config = shipped(app.file);

        assertThat(app.streamsDefaults(config)).containsExactlyInAnyOrderEntriesOf(app.documentedDefaults());
        assertThat(StreamAeSettings.from(config)).usingRecursiveComparison().isEqualTo(StreamAeSettings.defaults());
    }

    /** The demo runs both apps at the same defaults; it only publishes models more often, as its file says. */
    @Test
    void theDemoRunsBothAppsAtTheDocumentedDefaults() {
        Map<String, String> config = new HashMap<>(shipped("demo.properties"));
        // The demo sets these itself: its own broker and a temporary state directory.
        config.put("bootstrap.servers", "127.0.0.1:9092");
        config.put("state.dir", "/tmp/streamae-demo-state");

        for (App app : App.values()) {
            assertThat(app.streamsDefaults(config)).as(app.name()).containsExactlyInAnyOrderEntriesOf(app.documentedDefaults());
        }
        assertThat(config).containsOnlyKeys("bootstrap.servers", "state.dir", "publish.every.steps", "publish.interval.ms");
        assertThat(StreamAeSettings.from(config)).usingRecursiveComparison()
                .ignoringFields("publishEverySteps", "publishInterval").isEqualTo(StreamAeSettings.defaults());
    }
}
