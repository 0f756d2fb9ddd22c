package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two trainer instances (each its own JVM, at the production settings: the default six training
 * partitions, one stream thread, batch 64, checkpoints every 50 steps) share {@value #MODELS}
 * models on one broker. Both must train (Kafka Streams splits the models' partitions between
 * them), and every image of every model must be learnt exactly once, by the model it names,
 * although one instance is killed with SIGKILL while images stream in and restarted later: the
 * other takes its models over from their changelogs, replays their logged examples, and gives
 * some back when it returns. Checked on {@code training-metrics}: each model's examples done
 * (learnt or skipped as anomalies) end at exactly the images it was sent and never pass them, and
 * its versions are published once each, in order. In the {@code reliability} profile.
 */
@Tag("reliability")
class ManyModelsCrashRecoveryTest {

    private static final int MODELS = 8;
    private static final int PER_MODEL = 800;
    /** How {@code ModelLane} logs a model's start in a task. */
    private static final Pattern LANE_START = Pattern.compile("trainer task \\S+ model (\\S+) starts at");
    private static final Logger LOG = LoggerFactory.getLogger(ManyModelsCrashRecoveryTest.class);
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    private static String model(int m) {
        return "camera-" + m;
    }

    @Test
    void twoInstancesTrainTheirShareAndEveryImageOfEveryModelIsLearntOnceAcrossAKill(@TempDir Path dir)
            throws Exception {
        Path logA = dir.resolve("trainer-a.log");
        Path logB = dir.resolve("trainer-b.log");
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        String[] argsA = StreamAeRunner.childTrainer(kafka, dir.resolve("a"), StreamAeRunner.KILLED_TRAINER);
        String[] argsB = StreamAeRunner.childTrainer(kafka, dir.resolve("b"), StreamAeRunner.KILLED_TRAINER);
        Datasets.Labelled digits = Datasets.mnistTrain();
        List<String> names = IntStream.range(0, MODELS).mapToObj(ManyModelsCrashRecoveryTest::model).toList();

        try (var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka);
             ChildProcess b = ChildProcess.streamae(logB, argsB)) {
            ChildProcess a = ChildProcess.streamae(logA, argsA);
            try {
                waitUntil("both instances run", Duration.ofSeconds(90),
                        () -> running(logA) && running(logB));
                send(client, digits, 0, PER_MODEL / 2);
                waitUntil("both instances train models (logs " + logA + ", " + logB + ")", Duration.ofSeconds(120),
                        () -> !lanes(logA).isEmpty() && !lanes(logB).isEmpty()
                                && names.stream().allMatch(m -> watcher.latestExamplesDone(m) >= PER_MODEL / 4));
                Set<String> ofA = lanes(logA);
                Set<String> ofB = lanes(logB);
                LOG.info("instance A trains {}, instance B trains {}", ofA, ofB);
                assertThat(union(ofA, ofB)).as("every model trained by one or the other")
                        .containsExactlyInAnyOrderElementsOf(names);

                send(client, digits, PER_MODEL / 2, PER_MODEL * 3 / 4);
                a.kill();
                long doneAtKill = names.stream().mapToLong(watcher::latestExamplesDone).sum();
                LOG.info("killed instance A with {} of {} examples done", doneAtKill, MODELS * PER_MODEL);
                assertThat(doneAtKill).as("the kill finds work to do").isLessThan((long) MODELS * PER_MODEL * 3 / 4);
                waitUntil("instance B takes A's models over and trains them", Duration.ofSeconds(120),
                        () -> ofA.stream().allMatch(m -> watcher.latestExamplesDone(m) >= PER_MODEL * 3 / 4 - 64));

                a = ChildProcess.streamae(logA, argsA);
                send(client, digits, PER_MODEL * 3 / 4, PER_MODEL);
                waitUntil("every image of every model learnt or skipped", Duration.ofSeconds(180),
                        () -> names.stream().allMatch(m -> watcher.latestExamplesDone(m) >= PER_MODEL));
            } finally {
                a.close();
            }
            for (String m : names) {
                List<TrainingMetrics> records = watcher.records(m);
                assertThat(records).extracting(r -> r.examplesSeen() + r.skippedAnomalies()).as("model %s", m)
                        .allMatch(n -> n <= PER_MODEL).last().isEqualTo((long) PER_MODEL);
                assertThat(records).extracting(TrainingMetrics::modelVersion).as("versions of %s", m)
                        .isSorted().doesNotHaveDuplicates();
            }
            assertThat(lanes(logB)).as("B trained A's models after the kill").containsAll(lanes(logA));
        }
    }

    /** Images {@code from} to {@code to} of every model: each model its own slice of the digits. */
    private static void send(KafkaTestClient client, Datasets.Labelled digits, int from, int to) {
        for (int i = from; i < to; i++) {
            for (int m = 0; m < MODELS; m++) {
                ImageRecord image = KafkaTestClient.image(model(m) + "-" + i, digits, m * PER_MODEL + i);
                client.send(image.withModel(model(m)));
            }
        }
        client.flush();
    }

    /** The models whose lanes an instance loaded, from its log. */
    private static Set<String> lanes(Path log) {
        try (var lines = Files.lines(log)) {
            return lines.map(LANE_START::matcher).filter(Matcher::find).map(m -> m.group(1)).collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            return Set.of();
        }
    }

    private static boolean running(Path log) {
        try (var lines = Files.lines(log)) {
            return lines.anyMatch(line -> line.contains("trainer is running"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }
}
