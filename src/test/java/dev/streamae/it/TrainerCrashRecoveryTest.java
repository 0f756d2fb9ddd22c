package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static dev.streamae.model.FloatDifferences.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.model.OfflineTrainer;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingMetrics;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer runs in its own JVM at the production settings (batch 64, a checkpoint every 50
 * steps and with every snapshot, publishing every 50 steps or 5 s, anomalies skipped once warmed
 * up, drift policy {@code adapt}, the default engine) and is killed with SIGKILL {@value #KILLS}
 * times while 8,000 images stream in, in one {@code images} partition: {@value #CHANGE} training
 * digits, then Fashion-MNIST as a new normal, so that the drift detector suspects and confirms a
 * change and the calibration is re-fitted on the way. In the end its model must be the one an
 * uninterrupted trainer (started afterwards in this JVM, with an application id and a model name
 * of its own) learns from the same images: every example folded in exactly once and in order (the
 * same examples learnt and skipped, the same steps, never more on the way, each version published
 * once), the same drift events, each sent once, and the same parameters and Adam moments, within
 * the tolerances below.
 * Meanwhile the scorer (in this JVM, two stream threads) keeps scoring, each image exactly once.
 * In the {@code reliability} profile: five trainer starts take minutes.
 *
 * <p>Each kill comes at a seeded random point ({@code -Dstreamae.crash.seed}, logged): once the
 * trainer has learnt the images released so far and published (and so checkpointed) them, a burst
 * of {@value #BURST} more is released, and the kill follows within 300 ms of the trainer's log of
 * examples (the {@code trainer-pending} changelog) showing a random part of the burst committed.
 * So every restart must learn examples again from that log rather than from its checkpoint (the
 * test checks that some did), and the kill lands while the trainer works on the burst.
 *
 * <p>What makes the model reproducible, and what the test sets for it:
 * <ul>
 *   <li>The order of the examples: one input partition (all images are sent to partition 0), so
 *       the single-partition {@code training} topic holds them in the order they were sent, also
 *       when a killed trainer's transactions are aborted and the records sent again.</li>
 *   <li>The batch boundaries: every batch must be a full 64 at the same sequence numbers, so
 *       {@code train.partial.batch.ms} is set beyond the test's length, the one training setting
 *       off its default. At the default (1 s) the boundaries depend on timing: the training task
 *       reads the {@code training} topic read_committed, so it receives what the upstream
 *       sub-topology consumed in one chunk per commit ({@code commit.interval.ms}, 1 s for the
 *       trainer), cut anywhere in a batch, and the rest of the batch comes a commit later, about
 *       as long as the partial-batch wait. After a restart the replayed examples can end in a
 *       partial batch whose rest is a commit away (seen here: 2 examples pending), and the wait
 *       starts when the task does.</li>
 *   <li>What is skipped: each batch is judged by the calibration its batch number selects, so a
 *       replay skips what the first run skipped ({@code AlertCalibrator}).</li>
 *   <li>The arithmetic: bit for bit only if every step runs the same machine code. The vector
 *       engine's kernels use the Vector API's {@code reduceLanes(ADD)} and lanewise TANH, EXP and
 *       LOG, which the JDK computes differently (summation order, SVML against {@code Math.tanh}
 *       per lane) before and after C2 has compiled them; the API leaves the order of a float
 *       reduction unspecified. Measured here: 125 steps from the same seed and data gave identical
 *       bits in six JVMs that warmed the engine up first ({@link dev.streamae.model.Autoencoders#warmUp}, as every
 *       trainer start does), three of them with four busy loops competing for the two cores, and
 *       every run of this test so far was bitwise equal (the log says so); but a JVM training
 *       from a cold start ended up to 6.4e-6 away in the parameters and 4.6e-8 in Adam's moments,
 *       and elsewhere each time. Nothing guarantees that no replayed step runs before C2 has
 *       compiled it or after a deoptimisation, so the parameters are compared within
 *       {@value #PARAMETER_TOLERANCE} and the moments within {@value #MOMENT_TOLERANCE} (some 15
 *       and 6 times those cold-start differences). That still tells any fault of the replay: one
 *       example of a batch learnt twice instead of its neighbour moves a parameter by 2.0e-3 and
 *       a moment by 1.1e-6, two batches learnt in swapped order by 6.5e-3 and 5.4e-6, Adam's state
 *       lost at a checkpoint by 0.1 and 6.5e-4 (measured without skipping); a batch lost or learnt
 *       twice changes the steps. (Were the arithmetic to differ, an error lying within it of the
 *       skipping threshold could also be judged differently: a different skip count.)</li>
 * </ul>
 */
@Tag("reliability")
class TrainerCrashRecoveryTest {

    /** 125 full batches of 64. */
    private static final int IMAGES = 8_000;
    /** Images of digits before Fashion-MNIST becomes the normal: the drift is confirmed some 1,000 images later. */
    private static final int CHANGE = 5_000;
    private static final int BATCH = 64;
    /** Images released at once just before a kill, so that it hits a trainer at work. */
    private static final int BURST = 640;
    private static final int KILLS = 3;
    private static final double PARAMETER_TOLERANCE = 1e-4;
    private static final double MOMENT_TOLERANCE = 3e-7;
    private static final long SEED = Long.getLong("streamae.crash.seed", 7L);
    private static final String MODEL = StreamAeSettings.defaults().modelName();
    /** The model name of the uninterrupted run. */
    private static final String UNINTERRUPTED = "uninterrupted";
    /** The trainer's log of examples, by sequence number (the value starts with it), before it learns them. */
    private static final String PENDING_CHANGELOG = TrainerTopology.APPLICATION_ID + "-trainer-pending-changelog";
    /** How {@code TrainingProcessor} logs what a start replayed. */
    private static final Pattern REPLAYED = Pattern.compile("(\\d+) replayed");
    private static final Logger LOG = LoggerFactory.getLogger(TrainerCrashRecoveryTest.class);
    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = BROKER.kafka();
    }

    @Test
    void afterHardKillsTheModelIsTheOneAnUninterruptedRunLearns(@TempDir Path dir) throws Exception {
        // Snapshots carry Adam's state so that it can be compared; that changes nothing in training.
        Map<String, String> settings = new HashMap<>(StreamAeRunner.KILLED_TRAINER);
        settings.putAll(Map.of("train.partial.batch.ms", "3600000", "snapshot.include.optimiser", "true"));
        Path log = dir.resolve("trainer.log");
        String[] trainerArgs = StreamAeRunner.childTrainer(kafka, dir, settings);

        Datasets.Labelled train = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        int[] order = shuffledOrder(train.count());
        // Sequence number after the last example the trainer has logged (committed) before learning it.
        AtomicLong loggedUpTo = new AtomicLong();
        try (var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var logged = new TopicTail(kafka, PENDING_CHANGELOG, r -> loggedUpTo.accumulateAndGet(
                     ByteBuffer.wrap(r.value()).getLong() + 1, Math::max));
             var client = new KafkaTestClient(kafka)) {
            // Images are released a stretch at a time, so that whatever the machine's speed each kill
            // finds images still to learn: up to the kill point, then a burst just before the kill.
            Semaphore released = new Semaphore(0);
            Thread producer = new Thread(() -> {
                for (int i = 0; i < IMAGES; i++) {
                    released.acquireUninterruptibly();
                    client.send(0, i < CHANGE ? KafkaTestClient.image("img-" + i, train, order[i])
                            : KafkaTestClient.image("img-" + i, fashion, i - CHANGE));
                    if (i % 100 == 99) {
                        client.flush();
                        pause(20);
                    }
                }
                client.flush();
            }, "producer");

            ChildProcess trainer = ChildProcess.streamae(log, trainerArgs);
            producer.start();
            Random random = new Random(SEED);
            long[] killAt = killPoints(random);
            LOG.info("seed {}: killing the trainer after {} examples (each plus a burst and a random delay)", SEED,
                    Arrays.toString(killAt));
            long out = 0;
            for (int k = 0; k < KILLS; k++) {
                long threshold = killAt[k];
                released.release((int) (threshold - out));
                waitUntil("the trainer folds in " + threshold + " examples (seed " + SEED + ", log: " + log + ")",
                        Duration.ofSeconds(120), () -> watcher.latestExamplesDone(MODEL) >= threshold);
                // Its last checkpoint is now at the threshold (it came with the snapshot). A burst
                // follows, and the kill comes once some of it is logged and committed: a restart
                // must then learn those examples again from the log.
                released.release(BURST);
                out = threshold + BURST;
                long target = threshold + (long) BATCH * (1 + random.nextInt(BURST / BATCH - 1));
                waitUntil("the trainer logs examples up to " + target + " (log: " + log + ")", Duration.ofSeconds(60),
                        () -> loggedUpTo.get() >= target);
                pause(random.nextInt(300));  // in a step, a checkpoint, a publish or a commit
                trainer.kill();
                LOG.info("seed {}: killed with examples logged up to {}, the last snapshot at {}", SEED,
                        loggedUpTo.get(), watcher.latestExamplesDone(MODEL));
                long scoredAtKill = scorer.metrics().imagesScored();
                long sent = out;
                waitUntil("the scorer keeps scoring while the trainer is down", Duration.ofSeconds(60),
                        () -> scorer.metrics().imagesScored() > scoredAtKill || scoredAtKill >= sent);
                trainer = ChildProcess.streamae(log, trainerArgs);
            }
            released.release((int) (IMAGES - out));
            producer.join();
            try (ChildProcess last = trainer) {
                waitUntil("every image learnt or skipped (log: " + log + ")", Duration.ofSeconds(180),
                        () -> watcher.latestExamplesDone(MODEL) == IMAGES);
            }
            // What each start resumed from: the checkpoint, the examples replayed, a partial batch pending.
            List<String> starts;
            try (var lines = Files.lines(log)) {
                starts = lines.filter(line -> line.contains(" starts at ")).toList();
            }
            starts.forEach(line -> LOG.info("seed {}: {}", SEED, line));
            assertThat(starts).hasSizeGreaterThanOrEqualTo(KILLS + 1);
            assertThat(starts).as("some restart learnt logged examples again").anyMatch(line -> REPLAYED.matcher(line)
                    .results().anyMatch(m -> Long.parseLong(m.group(1)) > 0));

            // The uninterrupted run: a trainer in this JVM, with an application id and a model name of its
            // own, on the same images and settings.
            Map<String, String> reference = new HashMap<>(settings);
            reference.put("application.id", TrainerTopology.APPLICATION_ID + "-uninterrupted");
            reference.put("model.name", UNINTERRUPTED);
            try (var uninterrupted = StreamAeRunner.trainer(kafka, dir.resolve("uninterrupted"), reference)) {
                waitUntil("the uninterrupted trainer folds in every image", Duration.ofSeconds(120),
                        () -> watcher.latestExamplesDone(UNINTERRUPTED) == IMAGES);
            }

            List<TrainingMetrics> records = watcher.records(MODEL);
            assertThat(records).extracting(TrainingMetrics::examplesSeen).allMatch(n -> n <= IMAGES);
            assertThat(records).extracting(TrainingMetrics::modelVersion).isSorted().doesNotHaveDuplicates();
            assertThat(records.get(records.size() - 1).loss()).isLessThan(records.get(0).loss());
            TrainingMetrics expected = last(watcher.records(UNINTERRUPTED));
            assertThat(last(records).skippedAnomalies()).as("images skipped as anomalies")
                    .isEqualTo(expected.skippedAnomalies());
            Map<String, Snapshot> newest = newestSnapshots(client);
            Snapshot killed = newest.get(MODEL);
            Snapshot whole = newest.get(UNINTERRUPTED);
            assertThat(killed.examplesSeen()).isEqualTo(whole.examplesSeen()).isEqualTo(IMAGES - expected.skippedAnomalies());
            assertThat(killed.steps()).as("steps: every batch a full one, a step unless all of it was skipped")
                    .isEqualTo(whole.steps()).isBetween(IMAGES / BATCH - 20L, (long) IMAGES / BATCH);
            List<String> events = events(client, MODEL);
            LOG.info("seed {}: drift events {}", SEED, events);
            assertThat(events).as("drift events, each sent once, as the uninterrupted run sent them")
                    .isEqualTo(events(client, UNINTERRUPTED))
                    .anyMatch(e -> e.startsWith("DRIFT_CONFIRMED")).anyMatch(e -> e.startsWith("RECALIBRATED"));
            assertThat(last(records).driftStatistic()).isEqualTo(expected.driftStatistic());
            double parameters = maxAbsDiff(killed.parameters(), whole.parameters());
            double moments = maxAbsDiff(killed.optimiserState(), whole.optimiserState());
            LOG.info("seed {}: against the uninterrupted run ({} skipped), parameters differ by at most {}, Adam's "
                    + "moments by {} (bitwise equal: {})", SEED, expected.skippedAnomalies(), parameters, moments,
                    parameters == 0 && moments == 0);
            assertThat(parameters).as("largest parameter difference (seed %d)", SEED).isLessThan(PARAMETER_TOLERANCE);
            assertThat(moments).as("largest Adam moment difference (seed %d)", SEED).isLessThan(MOMENT_TOLERANCE);

            client.assertEachKeyOnce(Topics.IMAGE_SCORES, IMAGES, Duration.ofSeconds(60));
        }
    }

    private static TrainingMetrics last(List<TrainingMetrics> records) {
        return records.get(records.size() - 1);
    }

    /** A model's committed drift events, each as type, position, change point and statistic. */
    private static List<String> events(KafkaTestClient client, String model) {
        var serde = JsonSerde.of(ModelEvent.class);
        return client.committed(Topics.MODEL_EVENTS).stream().filter(r -> model.equals(r.key()))
                .map(r -> serde.fromBytes(r.value()))
                .map(e -> e.type() + "@" + e.imagesJudged() + " change " + e.changeAt() + " statistic " + e.statistic())
                .toList();
    }

    /** The newest snapshot of each model on {@code models}. */
    private static Map<String, Snapshot> newestSnapshots(KafkaTestClient client) {
        Map<String, Snapshot> newest = new HashMap<>();
        client.committed(Topics.MODELS).forEach(r -> newest.merge(r.key(), SnapshotCodec.unsigned().decode(r.value()),
                (a, b) -> a.modelVersion() >= b.modelVersion() ? a : b));
        return newest;
    }

    /** The training split in a seeded order: the file is grouped by digit. */
    private static int[] shuffledOrder(int count) {
        int[] order = new int[count];
        Arrays.setAll(order, i -> i);
        OfflineTrainer.shuffle(order, new SplittableRandom(SEED));
        return order;
    }

    /**
     * {@value #KILLS} kill points, whole batches, at least 1,280 examples (20 steps) apart, each leaving
     * room for its burst before the next and the last some 1,000 examples short of the end.
     */
    private static long[] killPoints(Random random) {
        long[] points = new long[KILLS];
        int gap = 20 * BATCH;
        int span = (IMAGES - 1_000 - BURST - 640) / BATCH - 20 * (KILLS - 1);
        int[] offsets = random.ints(KILLS, 0, span).sorted().toArray();
        for (int i = 0; i < KILLS; i++) {
            points[i] = 640 + (long) offsets[i] * BATCH + (long) gap * i;
        }
        return points;
    }
}
