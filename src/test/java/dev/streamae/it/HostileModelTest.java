package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.model.Architecture;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Trainer and scorer both configured with {@code snapshot.signing.key}: the trainer's signed
 * snapshots are accepted end to end; then hostile snapshots on {@code models} (garbage, empty,
 * truncated, of the wrong shape, with a NaN weight, unsigned, signed with another key, older) are
 * each rejected with a logged reason and counted in {@code rejected-snapshots-total}, and the scorer
 * keeps scoring with the model it had.
 */
class HostileModelTest {

    private static final String KEY = "hostile-model-test-key-0123456789";
    private static final byte[] KEY_BYTES = KEY.getBytes(StandardCharsets.UTF_8);
    private static final Architecture SEED_NETWORK = Architecture.parse("784-128-64-12-3");

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void signedSnapshotsAreAcceptedAndHostileOnesRejectedWhileTheScorerKeepsItsModel(@TempDir Path dir)
            throws Exception {
        LocalKafka kafka = BROKER.kafka();
        // Otherwise the production defaults: batch 64, publishing every 50 steps or 5 s, two scorer threads.
        Map<String, String> settings = Map.of("snapshot.signing.key", KEY);
        Datasets.Labelled train = Datasets.mnistTrain();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        ch.qos.logback.classic.Logger registryLog =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ModelRegistry.class);
        log.start();
        registryLog.addAppender(log);
        try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var client = new KafkaTestClient(kafka)) {
            // Positive: with the key on both sides, the trainer's signed snapshots are accepted.
            try (var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), settings)) {
                for (int i = 0; i < 200; i++) {
                    client.send(KafkaTestClient.image("train-" + i, train, i));
                }
                client.flush();
                waitUntil("the trainer learns 200 images", Duration.ofSeconds(90),
                        () -> trainer.metrics().examplesTrained() == 200);
                waitUntil("the scorer accepts the trainer's signed snapshot of all 200", Duration.ofSeconds(60),
                        () -> scorer.registry().current() != null && scorer.registry().current().examplesSeen() == 200);
            }
            assertThat(scorer.registry().rejectedSnapshots()).as("signed snapshots rejected").isZero();
            long version = scorer.registry().version();
            assertThat(version).isPositive();

            // Hostile snapshots, each newer than the current model if its version were believed.
            Map<String, byte[]> hostile = hostileSnapshots(version);
            hostile.values().forEach(bytes -> client.send(Topics.MODELS, "streamae", bytes));
            client.flush();
            waitUntil("every hostile snapshot rejected", Duration.ofSeconds(60),
                    () -> scorer.registry().rejectedSnapshots() == hostile.size());
            assertThat(scorer.registry().version()).isEqualTo(version);

            // Each with its reason in the log, in order.
            List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).hasSize(hostile.size());
            int i = 0;
            for (String reason : hostile.keySet()) {
                assertThat(warnings.get(i++)).as("logged reason").contains(reason);
            }

            // The metric reports them (every scoring task reports the process's count on its tick).
            waitUntil("rejected-snapshots-total reports " + hostile.size(), Duration.ofSeconds(30),
                    () -> rejectedMetric(scorer) == hostile.size());

            // Scoring goes on with the model it had.
            for (int n = 0; n < 100; n++) {
                client.send(KafkaTestClient.image("after-" + n, train, 1000 + n));
            }
            client.flush();
            JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
            List<ScoreRecord> after = client.readCommitted(Topics.IMAGE_SCORES, 300, Duration.ofSeconds(60)).stream()
                    .filter(r -> r.key().startsWith("after-")).map(r -> serde.fromBytes(r.value())).toList();
            assertThat(after).hasSize(100);
            assertThat(after).allSatisfy(s -> assertThat(s.modelVersion()).isEqualTo(version));
        } finally {
            registryLog.detachAppender(log);
        }
    }

    /** Reason (a substring of the logged message) to the snapshot that must be rejected for it. */
    private static Map<String, byte[]> hostileSnapshots(long version) {
        Random random = new Random(1);
        SnapshotCodec signed = SnapshotCodec.signed(KEY_BYTES);
        byte[] good = signed.encode(TopologyFixtures.snapshot(SEED_NETWORK, 1_000_000));
        byte[] body = Arrays.copyOf(good, good.length - SnapshotCodec.SIGNATURE_BYTES);
        byte[] garbage = new byte[5000];
        random.nextBytes(garbage);
        byte[] nanBody = body.clone();
        ByteBuffer.wrap(nanBody).putFloat(nanBody.length - 4, Float.NaN);  // the last parameter

        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("wrong magic bytes", garbage);
        hostile.put("empty snapshot", new byte[0]);
        hostile.put("bad signature", Arrays.copyOf(good, good.length / 2));                     // cut, signature gone
        hostile.put("truncated snapshot", TopologyFixtures.signRaw(Arrays.copyOf(body, body.length / 2), KEY_BYTES));
        hostile.put("wrong architecture", signed.encode(TopologyFixtures.snapshot(Architecture.parse("784-64-3"),
                1_000_000)));
        hostile.put("non-finite parameter", TopologyFixtures.signRaw(nanBody, KEY_BYTES));
        hostile.put("unsigned snapshot", SnapshotCodec.unsigned().encode(TopologyFixtures.snapshot(SEED_NETWORK,
                1_000_000)));
        hostile.put("signed with another key", SnapshotCodec.signed("another-key-of-32-bytes-length!!"
                .getBytes(StandardCharsets.UTF_8)).encode(TopologyFixtures.snapshot(SEED_NETWORK, 1_000_000)));
        hostile.put("older than the current version", signed.encode(TopologyFixtures.snapshot(SEED_NETWORK,
                version - 1)));
        return hostile;
    }

    private static double rejectedMetric(StreamAeRunner.Scorer scorer) {
        return scorer.app().streams().metrics().values().stream()
                .filter(m -> m.metricName().name().equals("rejected-snapshots-total"))
                .mapToDouble(m -> ((Number) m.metricValue()).doubleValue()).max().orElse(-1);
    }
}
