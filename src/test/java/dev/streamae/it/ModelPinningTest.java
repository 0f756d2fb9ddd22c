package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.cli.StreamAeCommand;
import dev.streamae.contract.TopicContract;
import dev.streamae.image.Datasets;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pinning and rolling back on a real broker, with a real scorer at the production defaults: two
 * models, {@code cam-a} in two versions and {@code cam-b} in one, trained a little on MNIST with the
 * real network and published to {@code models} and {@code model-history} (as the trainer does, with
 * their {@code training-metrics} records), then {@code streamae models pin}, {@code unpin} and
 * {@code rollback} run as a user runs them. After each, the scores of new images show the version
 * the command asked for ({@code pinned} set while a pin holds) while the other model is untouched;
 * refusals (no older version, a version not kept, an unknown model) change nothing and exit
 * non-zero; a scorer restarted while a pin holds serves it from its first image; and
 * {@code model-events} holds one valid event per change, in order.
 */
class ModelPinningTest {

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    private static final StreamAeSettings SETTINGS = StreamAeSettings.defaults();
    private static final Datasets.Labelled MNIST = Datasets.mnistTrain();
    private static final JsonSerde<ScoreRecord> SCORES = JsonSerde.of(ScoreRecord.class);

    private final AtomicInteger probes = new AtomicInteger();

    private record Run(int exitCode, String out, String err) {
    }

    @Test
    void pinUnpinAndRollbackChangeWhatScorersServe(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        Path config = StreamAeRunner.configFile(kafka, dir.resolve("cli-state"), Map.of(), dir.resolve("models.properties"));
        Autoencoder network = ModelFactory.of(SETTINGS).create(SETTINGS.architecture(), SETTINGS.metric());
        byte[] a1 = publishable("cam-a", 1, network, 5);
        byte[] a2 = publishable("cam-a", 2, network, 20);
        byte[] b5 = publishable("cam-b", 5, network, 10);
        try (var client = new KafkaTestClient(kafka)) {
            publish(client, "cam-a", 1, a1);
            publish(client, "cam-a", 2, a2);
            publish(client, "cam-b", 5, b5);
            client.flush();
            try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), Map.of())) {
                pinUnpinAndRollBack(client, config);
            }
            // A scorer that starts while cam-a is pinned serves the pin from its first image on: its
            // global store replays model-control before it runs.
            try (var restarted = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), Map.of())) {
                assertThat(restarted.registry().served("cam-a").pinned()).as("restored before it runs").isTrue();
                assertThat(probe(client, "cam-a")).allSatisfy(s -> {
                    assertThat(s.modelVersion()).isEqualTo(1);
                    assertThat(s.pinned()).isTrue();
                });
                assertThat(cli(config, "models", "unpin", "cam-a").exitCode()).isZero();
                awaitServed(client, "cam-a", 2, false);
            }

            List<ConsumerRecord<String, byte[]>> events = client.committed(Topics.MODEL_EVENTS);
            TopicContract contract = TopicContract.load();
            assertThat(events).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo("cam-a");
                assertThat(contract.valueErrors(Topics.MODEL_EVENTS, r.value())).isEmpty();
            });
            List<ModelEvent> parsed = events.stream().map(r -> JsonSerde.of(ModelEvent.class).fromBytes(r.value())).toList();
            assertThat(parsed).extracting(ModelEvent::type).as("one event per change, none for the refusals")
                    .containsExactly("PINNED", "UNPINNED", "ROLLED_BACK", "UNPINNED");
            assertThat(parsed).extracting(ModelEvent::modelVersion).containsExactly(1L, 2L, 1L, 2L);
            assertThat(client.committed(Topics.MODEL_CONTROL)).extracting(ConsumerRecord::value)
                    .as("two pins and two unpins, the last a tombstone").hasSize(4).last().isNull();
        }
    }

    /** Pin, show, unpin, roll back and the refusals, ending with cam-a rolled back to version 1. */
    private void pinUnpinAndRollBack(KafkaTestClient client, Path config) {
        awaitServed(client, "cam-a", 2, false);
        awaitServed(client, "cam-b", 5, false);
        Run list = cli(config, "models", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("(?m)^MODEL +PUBLISHED +SERVED +AGE +EXAMPLES")
                .containsPattern("(?m)^cam-a +2 +2 ").containsPattern("(?m)^cam-b +5 +5 ");

        Run pin = cli(config, "models", "pin", "cam-a", "1");
        assertThat(pin.exitCode()).as(pin.err()).isZero();
        awaitServed(client, "cam-a", 1, true);
        assertThat(probe(client, "cam-b")).as("the other model is untouched").allSatisfy(s -> {
            assertThat(s.modelVersion()).isEqualTo(5);
            assertThat(s.pinned()).isNull();
        });
        Run show = cli(config, "models", "show", "cam-a");
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).containsPattern("served +1 \\(pinned\\)").containsPattern("(?m)^2 +\\S+ +\\d+\\s*$")
                .containsPattern("(?m)^1 +\\S+ +\\d+ +pinned$").contains("pin: version 1");

        Run unpin = cli(config, "models", "unpin", "cam-a");
        assertThat(unpin.exitCode()).as(unpin.err()).isZero();
        awaitServed(client, "cam-a", 2, false);

        Run rollback = cli(config, "models", "rollback", "cam-a");
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("rolled back to version 1");
        awaitServed(client, "cam-a", 1, true);

        Run noOlder = cli(config, "models", "rollback", "cam-a");
        assertThat(noOlder.exitCode()).isEqualTo(1);
        assertThat(noOlder.err()).contains("older than the served version 1").contains("[2, 1]");
        Run notKept = cli(config, "models", "pin", "cam-a", "7");
        assertThat(notKept.exitCode()).isEqualTo(2);
        assertThat(notKept.err()).contains("version 7").contains("not kept").contains("[2, 1]");
        Run unknown = cli(config, "models", "show", "cam-z");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown model 'cam-z'").contains("cam-a, cam-b");
    }

    /** Sends probe images of {@code model} until all of a round are scored by {@code version} (pinned or not). */
    private void awaitServed(KafkaTestClient client, String model, long version, boolean pinned) {
        waitUntil(model + " scored by version " + version + (pinned ? " (pinned)" : ""), Duration.ofSeconds(60), () ->
                probe(client, model).stream().allMatch(s -> s.modelVersion() == version
                        && Boolean.valueOf(pinned).equals(s.pinned() != null && s.pinned())
                        && s.status() != ScoreRecord.Status.NO_MODEL && s.model().equals(model) && s.scoredBy() == null));
    }

    /** Scores of a round of three new images of {@code model}. */
    private List<ScoreRecord> probe(KafkaTestClient client, String model) {
        String round = model + "-" + probes.incrementAndGet() + "-";
        for (int i = 0; i < 3; i++) {
            client.send(KafkaTestClient.image(round + i, MNIST, probes.get() * 3 + i).withModel(model));
        }
        client.flush();
        List<ScoreRecord> scores = new java.util.ArrayList<>();
        waitUntil("round " + round + " scored", Duration.ofSeconds(30), () -> {
            scores.clear();
            client.committed(Topics.IMAGE_SCORES).stream().filter(r -> r.key().startsWith(round))
                    .map(r -> SCORES.fromBytes(r.value())).forEach(scores::add);
            return scores.size() == 3;
        });
        return scores;
    }

    /** As the trainer publishes a version: the snapshot on models and model-history, its metrics on training-metrics. */
    private static void publish(KafkaTestClient client, String model, long version, byte[] snapshot) {
        client.send(Topics.MODELS, model, snapshot);
        client.send(Topics.MODEL_HISTORY, model + "@" + version, snapshot);
        Snapshot s = SnapshotCodec.unsigned().decode(snapshot);
        TrainingMetrics metrics = new TrainingMetrics(model, version, 0.05, SETTINGS.metric().id(), null,
                SETTINGS.falseAlarmRate(), null, null, 0, false, s.examplesSeen(), s.steps(), 0, 100.0,
                System.currentTimeMillis(), "adapt", "STABLE", 0.0, false, 0L, 0L, null);
        client.send(Topics.TRAINING_METRICS, model, JsonSerde.of(TrainingMetrics.class).toBytes(metrics));
    }

    /** The real network after {@code steps} more batches of 64 MNIST digits, as a published snapshot of {@code model}. */
    private static byte[] publishable(String model, long version, Autoencoder network, int steps) {
        for (int step = 0; step < steps; step++) {
            float[][] batch = new float[64][];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = MNIST.images().pixels((int) ((network.steps() * 64 + i) % MNIST.count()));
            }
            network.train(batch);
        }
        long examples = network.steps() * 64;
        return SnapshotCodec.unsigned().encode(Snapshot.of(model, version, network.state(false), SETTINGS.metric(),
                examples, Math.max(0, SETTINGS.warmupExamples() - examples), null, Instant.now()));
    }

    private static Run cli(Path config, String... args) {
        String[] withConfig = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--config", config.toString())).toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = StreamAeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(withConfig);
        return new Run(code, out.toString(), err.toString());
    }
}
