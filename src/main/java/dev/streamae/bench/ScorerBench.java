package dev.streamae.bench;

import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Label;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScorerMetrics;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The scorer topology end to end, with a warmed-up model already published:
 * <ul>
 *   <li>throughput: a fresh scorer per run on the pre-produced backlog, timed by a read_committed
 *       consumer of {@code image-scores} from the first committed scores to the last, with PyTorch's
 *       batch inference measured before the first measured run and after each ({@link RunSeries});</li>
 *   <li>latency: one scorer, fed at a fixed rate and then at 80% of the measured throughput; the
 *       latency of an image is the time the consumer received its score minus the image's
 *       timestamp, which the producer (Kafka's default settings, as a user's would have) sets when
 *       it sends it.</li>
 * </ul>
 */
final class ScorerBench {

    static final String MODEL_NAME = "bench-scorer";
    private static final double HIGH_FRACTION = 0.8;

    private ScorerBench() {
    }

    static List<Measure> run(AppRuns runs, BenchKafka.Backlog backlog, MemorySampler memory) throws Exception {
        RunSeries series = new RunSeries(runs, "scorer", runs.torchBeside(TorchRuns.Kind.INFERENCE, "scorer"))
                .runAll(() -> runOnce(runs, Map.of("model.name", MODEL_NAME), backlog, () -> { }));
        List<Measure> measures = new ArrayList<>(series.measures("scorer e2e, images -> image-scores (read_committed)",
                memory != null));
        measures.addAll(latencies(runs, (int) Math.max(1, Math.round(HIGH_FRACTION * series.medianRate()))));
        if (memory != null) {
            measures.add(Measure.megabytes(Checks.SCORER_HEAP, "scorer heap after GC, max (-Xmx"
                    + Math.round(MemorySampler.maxHeapMb()) + "m)", List.of(memory.maxHeapAfterGcMb())));
            measures.add(Measure.megabytes(Checks.SCORER_RSS, "scorer resident memory (VmRSS), max", List.of(memory.maxRssMb())));
        }
        return measures;
    }

    /**
     * One run: a fresh scorer with the plan's settings and {@code extra} on {@code backlog};
     * {@code beforeClose} runs once every image was scored, the scorer still up with its models.
     */
    static RunSeries.Result runOnce(AppRuns runs, Map<String, String> extra, BenchKafka.Backlog backlog, Runnable beforeClose)
            throws Exception {
        Map<String, String> config = runs.newApp("scorer", extra);
        BenchKafka.startGroupAt(runs.admin(), config.get("application.id"), backlog.start());
        try (ScoreWatcher watcher = new ScoreWatcher(runs.clientProps(), backlog.idPrefix(), Long.MAX_VALUE);
             StreamsApp app = start(runs, config)) {
            Duration timeout = Duration.ofSeconds(120 + backlog.count() / 500);
            if (!watcher.awaitCount(backlog.count(), timeout)) {
                throw new IllegalStateException("the scorer scored " + watcher.count() + " of " + backlog.count()
                        + " images within " + timeout.toSeconds() + " s");
            }
            if (!"READY".equals(watcher.firstStatus())) {
                throw new IllegalStateException("the scorer had no warmed-up model: status " + watcher.firstStatus());
            }
            beforeClose.run();
            return new RunSeries.Result(watcher.steadyRate(), watcher.cpuMicrosPerScore(), String.format(Locale.ROOT,
                    "%,d images scored, %,.0f img/s after the first commit, %.1f us CPU per image", watcher.count(),
                    watcher.steadyRate(), watcher.cpuMicrosPerScore()));
        }
    }

    private static StreamsApp start(AppRuns runs, Map<String, String> config) throws InterruptedException {
        StreamAeSettings settings = StreamAeSettings.from(config);
        ScorerMetrics metrics = new ScorerMetrics();
        ModelRegistry registry = new ModelRegistry(settings, runs.models(settings));
        StreamsApp app = new StreamsApp("bench-scorer", ScorerTopology.build(settings, registry, metrics),
                StreamsProperties.scorer(config.get("bootstrap.servers"), config, metrics.badRecordsCounter()));
        return app.start(Duration.ofMinutes(2));
    }

    private static List<Measure> latencies(AppRuns runs, int highRate) throws Exception {
        BenchPlan plan = runs.plan();
        Map<String, String> config = runs.newApp("scorer-latency", Map.of("model.name", MODEL_NAME));
        BenchKafka.startGroupAt(runs.admin(), config.get("application.id"), BenchKafka.endOffsets(runs.admin(), Topics.IMAGES));
        List<Double> fixed50 = new ArrayList<>();
        List<Double> fixed99 = new ArrayList<>();
        List<Double> high50 = new ArrayList<>();
        List<Double> high99 = new ArrayList<>();
        Map<String, Object> producerProps = BenchKafka.producerProps(runs.clientProps());
        try (StreamsApp app = start(runs, config);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                     new ByteArraySerializer())) {
            Window window = new Window(runs, producer, config.get("application.id"), app, Digits.load());
            // A new app's first seconds (tasks, stores, first transactions) are no part of its latency,
            // nor is the JIT compiler's work on the paths the throughput runs did not take (a few
            // images per batch, a commit per slot, the bench's own producer): warm-up windows until
            // the JIT compilers settle, at least one (measured: the scorer JVM's CPU at 2,000 img/s
            // fell 73% -> 60% -> 48% of a core over three windows after a single 3 s warm-up, and p99 with it).
            WarmUp windows = new WarmUp(Math.max(1, plan.warmupRuns()));
            while (!windows.done()) {
                String name = "warm-up " + (windows.runs() + 1);
                windows.start();
                window.run(name, plan.latencyRate(), plan.warmupSeconds());
                runs.progress(String.format(Locale.ROOT, "scorer latency %s: JIT compiling %.0f%% of the window", name,
                        100 * windows.finish()));
            }
            for (int r = 1; r <= plan.repeats(); r++) {
                long[] a = window.run(r + "-fixed", plan.latencyRate(), plan.latencySeconds());
                fixed50.add((double) Stats.percentile(a, 0.50));
                fixed99.add((double) Stats.percentile(a, 0.99));
                long[] b = window.run(r + "-high", highRate, plan.latencySeconds());
                high50.add((double) Stats.percentile(b, 0.50));
                high99.add((double) Stats.percentile(b, 0.99));
            }
        }
        String fixed = String.format(Locale.ROOT, "%,d img/s", plan.latencyRate());
        String high = String.format(Locale.ROOT, "%,d img/s (80%% of max)", highRate);
        return List.of(
                Measure.millis(Checks.SCORER_FIXED_P50, "scorer latency p50 at " + fixed, fixed50),
                Measure.millis(Checks.SCORER_FIXED_P99, "scorer latency p99 at " + fixed, fixed99),
                Measure.rate(Checks.SCORER_HIGH_RATE, "scorer high load: 80% of the e2e median", List.of((double) highRate)),
                Measure.millis(Checks.SCORER_HIGH_P50, "scorer latency p50 at " + high, high50),
                Measure.millis(Checks.SCORER_HIGH_P99, "scorer latency p99 at " + high, high99));
    }

    /**
     * The held-out digits with their {@code u8} fields encoded once: the bench's producer shares the
     * scorer's JVM and cores, and what it spends per image is taken from the scorer.
     */
    private record Digits(String[] u8, int[] labels) {

        static Digits load() {
            Datasets.Labelled digits = Datasets.mnistHeldOut();
            String[] u8 = new String[digits.count()];
            for (int i = 0; i < u8.length; i++) {
                u8[i] = ImageDecoder.encodeU8(digits.images().bytes(i));
            }
            return new Digits(u8, digits.labels());
        }
    }

    /** One latency measurement: images at a fixed rate, a warm-up not counted, every score awaited. */
    private record Window(AppRuns runs, KafkaProducer<String, byte[]> producer, String runId, StreamsApp app, Digits digits) {

        long[] run(String name, int rate, int seconds) throws InterruptedException {
            BenchPlan plan = runs.plan();
            JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
            String prefix = "lat-" + runId + "-" + name + "-";
            long startMs = System.currentTimeMillis();
            long total = (long) rate * (plan.warmupSeconds() + seconds);
            try (ScoreWatcher watcher = new ScoreWatcher(runs.clientProps(), prefix, startMs + plan.warmupSeconds() * 1000L)) {
                CommitCosts commits = new CommitCosts(app.streams());
                long start = System.nanoTime();
                for (long i = 0; i < total; ) {
                    // Whole-millisecond steps: the images due within a step leave together, so the
                    // producer wakes once a millisecond rather than once per image.
                    long due = start + (long) Math.ceil(i * 1e3 / rate) * 1_000_000L;
                    for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    long dueNow = Math.min(total, (long) Math.floor((System.nanoTime() - start) / 1e9 * rate) + 1);
                    for (; i < dueNow; i++) {
                        int index = (int) (i % digits.u8().length);
                        long now = System.currentTimeMillis();
                        ImageRecord image = new ImageRecord(prefix + i, null, digits.u8()[index], null, null, null,
                                Label.of(digits.labels()[index]), now);
                        producer.send(new ProducerRecord<>(Topics.IMAGES, null, now, image.id(), serde.toBytes(image)));
                    }
                }
                producer.flush();
                double sendSeconds = (System.nanoTime() - start) / 1e9;
                boolean all = watcher.awaitCount(total, Duration.ofSeconds(30));
                String commitCosts = commits.summary();
                long[] latencies = watcher.latencies();
                if (latencies.length == 0) {
                    throw new IllegalStateException("no score of the latency window " + name + " arrived within 30 s");
                }
                runs.progress(String.format(Locale.ROOT, "scorer latency %s: %,d img/s asked, %,.0f sent, %,d of %,d scored%s; "
                                + "p50 %d ms, p99 %d ms, max %d ms; until scored p50 %d ms, p99 %d ms; %s", name, rate,
                        total / sendSeconds, watcher.count(), total,
                        all ? "" : " (INCOMPLETE after 30 s)", Stats.percentile(latencies, 0.5),
                        Stats.percentile(latencies, 0.99), Stats.percentile(latencies, 1.0),
                        Stats.percentile(watcher.untilScored(), 0.5), Stats.percentile(watcher.untilScored(), 0.99), commitCosts));
                return latencies;
            }
        }
    }
}
