package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.FeedbackRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.Topics;
import dev.streamae.streams.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's client listener requires SASL/PLAIN authentication (the controller listener stays
 * plaintext on loopback). Trainer and scorer run against it with nothing but configuration
 * ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}), which StreamAE
 * passes through to every Kafka client it makes, the trainer's own consumer that reads a verdict's
 * image included; a client without credentials, or with a wrong password, is refused.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecuredKafkaTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"%s\" password=\"%s\";";
    /** What StreamAE's apps and this test's clients are configured with: nothing else differs. */
    private static final Map<String, String> SASL = Map.of(
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
            SaslConfigs.SASL_MECHANISM, "PLAIN",
            SaslConfigs.SASL_JAAS_CONFIG, String.format(JAAS, "streamae", "streamae-secret"));

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker(b -> {
        String listener = LocalKafka.LISTENER;
        b.brokerProperty("listener.security.protocol.map",
                        listener + ":SASL_PLAINTEXT," + LocalKafka.CONTROLLER_LISTENER + ":PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                // The client listener is also the inter-broker listener: the broker logs in as admin.
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .brokerProperty("listener.name." + listener.toLowerCase() + ".plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required "
                                + "username=\"admin\" password=\"admin-secret\" "
                                + "user_admin=\"admin-secret\" user_streamae=\"streamae-secret\";");
        SASL.forEach(b::clientProperty);
        return b;
    });

    @Test
    void streamsPropertiesPassSecuritySettingsThrough() {
        Properties trainer = StreamsProperties.trainer("x:1", SASL, new AtomicLong());
        Properties scorer = StreamsProperties.scorer("x:1", SASL, new AtomicLong());
        SASL.forEach((k, v) -> {
            assertThat(trainer.get(k)).as(k).isEqualTo(v);
            assertThat(scorer.get(k)).as(k).isEqualTo(v);
        });
    }

    @Test
    void trainerAndScorerRunWithCredentialsAndAClientWithoutIsRefused(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        assertThat(kafka.clientProperties()).containsAllEntriesOf(Map.copyOf(SASL));
        Map<String, String> settings = Map.of("train.batch.size", "16", "publish.every.steps", "5",
                "publish.interval.ms", "500", "num.stream.threads", "1");
        Datasets.Labelled train = Datasets.mnistTrain();
        // StreamAeRunner hands the apps the broker's client properties as plain configuration keys,
        // exactly as a properties file or --set would.
        try (var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), settings);
             var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var client = new KafkaTestClient(kafka)) {
            for (int i = 0; i < 300; i++) {
                client.send(KafkaTestClient.image("img-" + i, train, i));
            }
            client.flush();
            client.assertEachKeyOnce(Topics.IMAGE_SCORES, 300, Duration.ofSeconds(90));
            waitUntil("the trainer learns all 300 and the scorer loads its model", Duration.ofSeconds(90),
                    () -> trainer.metrics().examplesTrained() == 300 && scorer.registry().version() > 0);

            // A verdict: the trainer reads its image with a consumer of its own, which must log in too.
            JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
            ScoreRecord score = client.committed(Topics.IMAGE_SCORES).stream().map(r -> scores.fromBytes(r.value()))
                    .filter(sc -> sc.id().equals("img-7")).findFirst().orElseThrow();
            client.send(Topics.FEEDBACK, score.id(), JsonSerde.of(FeedbackRecord.class).toBytes(
                    new FeedbackRecord(score.id(), Verdict.NORMAL, score.partition(), score.offset())));
            client.flush();
            waitUntil("the trainer applies the verdict", Duration.ofSeconds(60),
                    () -> trainer.metrics().verdictsNormal() == 1 && trainer.metrics().examplesTrained() == 301);
            assertThat(trainer.badRecords().get()).isZero();
        }

        // No credentials: the broker expects a SASL handshake and drops the connection; the client
        // never gets an answer.
        Map<String, Object> plaintext = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        assertThatThrownBy(() -> describeCluster(plaintext)).hasCauseInstanceOf(TimeoutException.class);

        // Wrong password: refused explicitly.
        Map<String, Object> wrong = new HashMap<>(kafka.clientProperties());
        wrong.put(SaslConfigs.SASL_JAAS_CONFIG, String.format(JAAS, "streamae", "guess"));
        assertThatThrownBy(() -> describeCluster(wrong)).hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    /** describeCluster with a 5 s bound, so that a refused client fails fast. */
    private static void describeCluster(Map<String, Object> props) throws Exception {
        Map<String, Object> p = new HashMap<>(props);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
        }
    }
}
