package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.pause;
import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sustained run at a fixed rate through the real trainer and scorer, sampling every 5 s both
 * consumer groups' lag on {@code images} (committed offsets against end offsets, via Admin) and
 * the scoring throughput, and every fourth sample the heap after a full GC. Asserts no growth
 * trend (the heap's least-squares slope after warm-up), no lag build-up (the lag's slope over the
 * second half, and its size), the throughput keeping up with the rate, and no lost or duplicated
 * record (every image scored once, {@code examplesSeen} exact).
 *
 * <p>{@code -Dstreamae.soak.seconds} (default 240, to keep the profile within CI's budget) and {@code -Dstreamae.soak.rate} (images per
 * second, default 200) size it; samples go to {@code target/soak-samples.csv}. In the
 * {@code reliability} profile.
 */
@Tag("reliability")
class SoakTest {

    private static final long SECONDS = Long.getLong("streamae.soak.seconds", 240);
    private static final int RATE = Integer.getInteger("streamae.soak.rate", 200);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    /**
     * Heap after a forced full GC every this many samples (about 25 s): often enough for a trend,
     * and not so often that the run is mostly the test's own collections.
     */
    private static final int HEAP_EVERY = 4;
    /**
     * Heap after GC may drift by at most this much per minute once warmed up. Its readings scatter
     * by about 10 MB (buffers and caches that happen to be full), hence a robust slope and a bound
     * well above that noise; a leak of a few hundred bytes per image (200 images/s) would exceed it.
     */
    private static final double MAX_HEAP_SLOPE_MB_PER_MIN = 5;
    private static final Logger LOG = LoggerFactory.getLogger(SoakTest.class);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    record Sample(double seconds, double heapMb, long scorerLag, long trainerLag, double scoredPerSecond) {
    }

    @Test
    void steadyStateHasNoGrowthNoLagBuildUpAndLosesNothing(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        Map<String, String> settings = Map.of("train.batch.size", "32", "publish.interval.ms", "2000");
        Datasets.Labelled train = Datasets.mnistTrain();
        long total = SECONDS * RATE;
        List<Sample> samples = new ArrayList<>();
        try (var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), settings);
             var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var watcher = new TrainingMetricsWatcher(kafka);
             var client = new KafkaTestClient(kafka);
             Admin admin = kafka.admin()) {
            long start = System.nanoTime();
            Thread producer = new Thread(() -> {
                // RATE images per second in ten bursts, on a fixed schedule (no drift if a burst is late).
                long sent = 0;
                for (int tick = 0; sent < total; tick++) {
                    long due = start + tick * 100_000_000L;
                    long wait = (due - System.nanoTime()) / 1_000_000;
                    if (wait > 0) {
                        pause(wait);
                    }
                    long upTo = Math.min(total, (tick + 1L) * RATE / 10);
                    for (; sent < upTo; sent++) {
                        client.send(KafkaTestClient.image("soak-" + sent, train, (int) (sent % train.count())));
                    }
                    client.flush();
                }
            }, "soak-producer");
            producer.start();

            long lastScored = 0;
            long lastAt = start;
            while (true) {
                pause(SAMPLE_EVERY.toMillis());
                if (!producer.isAlive()) {
                    break;  // a last, partial interval would understate the throughput
                }
                long now = System.nanoTime();
                long scored = scorer.metrics().imagesScored();
                double heap = samples.size() % HEAP_EVERY == 0 ? HeapProbe.megabytes(HeapProbe.usedAfterGc()) : Double.NaN;
                Sample s = new Sample((now - start) / 1e9, heap,
                        lag(admin, ScorerTopology.APPLICATION_ID), lag(admin, TrainerTopology.APPLICATION_ID),
                        (scored - lastScored) / ((now - lastAt) / 1e9));
                samples.add(s);
                lastScored = scored;
                lastAt = now;
                LOG.info("soak {}", s);
                assertThat(scorer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(trainer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
            writeCsv(samples);

            // Nothing lost, nothing twice.
            client.assertEachKeyOnce(Topics.IMAGE_SCORES, (int) total, Duration.ofSeconds(120));
            waitUntil("every image learnt or skipped as an anomaly: " + total, Duration.ofSeconds(120),
                    () -> watcher.latestExamplesDone(StreamAeSettings.defaults().modelName()) == total);
            assertThat(watcher.records()).extracting(TrainingMetrics::examplesSeen).allMatch(n -> n <= total);
        }

        // No growth trend in the heap once warmed up (the first fifth is start-up).
        List<Sample> warm = samples.subList(samples.size() / 5, samples.size()).stream()
                .filter(s -> !Double.isNaN(s.heapMb())).toList();
        double heapSlope = medianSlope(warm, Sample::heapMb) * 60;
        List<Sample> secondHalf = samples.subList(samples.size() / 2, samples.size());
        double scorerLagSlope = slope(secondHalf, s -> s.scorerLag());
        double trainerLagSlope = slope(secondHalf, s -> s.trainerLag());
        double throughput = secondHalf.stream().mapToDouble(Sample::scoredPerSecond).average().orElse(0);
        long maxLag = secondHalf.stream().mapToLong(s -> Math.max(s.scorerLag(), s.trainerLag())).max().orElse(0);
        LOG.info("soak summary: {} s at {} images/s, heap slope {} MB/min (heap {} -> {} MB), lag slope scorer {} "
                        + "trainer {} images/s, max lag {} in the second half, throughput {} images/s",
                SECONDS, RATE, heapSlope, warm.get(0).heapMb(), warm.get(warm.size() - 1).heapMb(),
                scorerLagSlope, trainerLagSlope, maxLag, throughput);
        assertThat(heapSlope).as("heap-after-GC trend, MB per minute").isLessThan(MAX_HEAP_SLOPE_MB_PER_MIN);
        // A backlog growing by 5% of the input rate would show as a slope of 0.05 x RATE per second.
        assertThat(scorerLagSlope).as("scorer lag trend in the second half, images/s").isLessThan(0.05 * RATE);
        assertThat(trainerLagSlope).as("trainer lag trend in the second half, images/s").isLessThan(0.05 * RATE);
        assertThat(maxLag).as("largest lag in the second half, images").isLessThan(10L * RATE);
        assertThat(throughput).as("scoring throughput in the second half, images/s").isGreaterThan(0.9 * RATE);
    }

    /** Committed offsets of {@code group} on {@code images}, behind the end offsets, summed over partitions. */
    private static long lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(List.of(Topics.IMAGES)).allTopicNames().get().get(Topics.IMAGES).partitions()
                .forEach(p -> request.put(new TopicPartition(Topics.IMAGES, p.partition()), OffsetSpec.latest()));
        long lag = 0;
        for (var e : admin.listOffsets(request).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Least-squares slope of {@code y} against {@link Sample#seconds()}, per second. */
    static double slope(List<Sample> samples, ToDoubleFunction<Sample> y) {
        int n = samples.size();
        double mx = samples.stream().mapToDouble(Sample::seconds).average().orElse(0);
        double my = samples.stream().mapToDouble(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            sxy += (s.seconds() - mx) * (y.applyAsDouble(s) - my);
            sxx += (s.seconds() - mx) * (s.seconds() - mx);
        }
        return n < 2 || sxx == 0 ? 0 : sxy / sxx;
    }

    /** Theil-Sen slope (the median of the slopes between all pairs of samples), per second: robust to outliers. */
    static double medianSlope(List<Sample> samples, ToDoubleFunction<Sample> y) {
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                double dx = samples.get(j).seconds() - samples.get(i).seconds();
                if (dx > 0) {
                    slopes.add((y.applyAsDouble(samples.get(j)) - y.applyAsDouble(samples.get(i))) / dx);
                }
            }
        }
        if (slopes.isEmpty()) {
            return 0;
        }
        java.util.Collections.sort(slopes);
        int n = slopes.size();
        return n % 2 == 1 ? slopes.get(n / 2) : (slopes.get(n / 2 - 1) + slopes.get(n / 2)) / 2;
    }

    private static void writeCsv(List<Sample> samples) throws Exception {
        StringBuilder csv = new StringBuilder("seconds,heap_mb_after_gc,scorer_lag,trainer_lag,scored_per_second\n");
        samples.forEach(s -> csv.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f,%d,%d,%.1f%n",
                s.seconds(), s.heapMb(), s.scorerLag(), s.trainerLag(), s.scoredPerSecond())));
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("soak-samples.csv"), csv);
    }
}
