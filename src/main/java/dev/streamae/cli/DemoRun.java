package dev.streamae.cli;

import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One demo run: produces its image streams ({@link DemoStream}: shuffled MNIST training digits with
 * injected Fashion-MNIST anomalies by default) at a fixed total rate, the streams taking turns
 * image by image, follows {@code image-scores} (read_committed) and measures what a user would:
 * detection quality against the injected anomalies (per stream, so per model, when there are
 * several), throughput and latency to a readable score. Every score record read is counted per
 * image id ({@link ScoreTally}) over all streams, so the report's "each exactly once" is a count of
 * committed records, not of distinct ids. The last {@code training-metrics} record of each model
 * gives the report each model's training figures.
 */
final class DemoRun {

    private static final JsonSerde<TrainingMetrics> METRICS = JsonSerde.of(TrainingMetrics.class);

    private final Map<String, Object> clientProps;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final List<DemoStream> streams;
    private final List<ImageStream> images = new ArrayList<>();
    private final Map<String, Boolean> injected = new ConcurrentHashMap<>();
    /** The stream each image was sent on, by image id. */
    private final Map<String, String> streamOf = new ConcurrentHashMap<>();
    /** The newest training-metrics record of each model since the run began, by model name. */
    private final Map<String, TrainingMetrics> trained = new ConcurrentHashMap<>();
    private final long startedAt = System.currentTimeMillis();
    /** The first score of each image: the one a user could read first. */
    private final Map<String, Seen> scores = new ConcurrentHashMap<>();
    private final ScoreTally tally = new ScoreTally();
    private volatile boolean collecting = true;
    /** When normal drifts to Fashion-MNIST, after the start; null: never. */
    private final Duration driftAt;
    /** When it did (epoch ms), 0 before. */
    private volatile long driftedAt;

    /** A score as the demo's consumer saw it. */
    record Seen(ScoreRecord score, long receivedAt) {
    }

    /**
     * @param streams the image streams, each seeded apart; a drift ({@code driftAt}) applies to a
     *     single digits stream only
     */
    DemoRun(Map<String, Object> clientProps, long seed, double anomalyRate, Duration driftAt, List<DemoStream> streams) {
        if (driftAt != null && (streams.size() != 1 || !streams.get(0).name().equals("digits"))) {
            throw new IllegalArgumentException("only a single digits stream can drift");
        }
        this.clientProps = clientProps;
        this.driftAt = driftAt;
        this.streams = List.copyOf(streams);
        for (int i = 0; i < streams.size(); i++) {
            // One stream keeps the ids it always had; several need one prefix each, as both send
            // "fashion-<n>" images (one as its normal, the other as its anomalies).
            String prefix = streams.size() == 1 ? runId + "-" : runId + "-" + streams.get(i).name() + "-";
            images.add(streams.get(i).open(anomalyRate, seed + i, prefix));
        }
    }

    /** Kafka client settings: everything in the configuration that is not a StreamAE key. */
    static Map<String, Object> clientProperties(Map<String, String> config) {
        Map<String, Object> props = new HashMap<>();
        config.forEach((k, v) -> {
            if (!StreamAeSettings.isOwnKey(k) && !k.equals("state.dir") && !k.startsWith("num.stream")) {
                props.put(k, v);
            }
        });
        return props;
    }

    Result stream(int rate, Duration duration, PrintWriter out, Supplier<String> status) throws InterruptedException {
        Thread collector = new Thread(this::collect, "demo-score-collector");
        collector.setDaemon(true);
        collector.start();
        boolean console = System.console() != null;
        long start = System.nanoTime();
        long nextStatus = start;
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            RateLimiter limiter = new RateLimiter(rate);
            long sent = 0;
            long end = start + duration.toNanos();
            while (System.nanoTime() < end) {
                if (driftAt != null && driftedAt == 0 && System.nanoTime() - start >= driftAt.toNanos()) {
                    images.get(0).drift();
                    driftedAt = System.currentTimeMillis();
                    printStatus(out, console, "normal drifts: Fashion-MNIST from now on, noise frames injected as anomalies");
                    if (console) {
                        out.println();
                    }
                }
                for (long n = limiter.take(); n > 0; n--) {
                    int turn = (int) (sent++ % streams.size());
                    ImageStream.Next next = images.get(turn).next();
                    ImageRecord image = next.image().withModel(streams.get(turn).model());
                    injected.put(image.id(), next.injected());
                    streamOf.put(image.id(), streams.get(turn).name());
                    producer.send(new ProducerRecord<>(Topics.IMAGES, image.id(), serde.toBytes(image)));
                }
                if (System.nanoTime() >= nextStatus) {
                    printStatus(out, console, status.get());
                    nextStatus += 1_000_000_000L;
                }
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (scores.size() < injected.size() && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextStatus) {
                printStatus(out, console, status.get() + " | draining");
                nextStatus += 1_000_000_000L;
            }
            Thread.sleep(20);
        }
        printStatus(out, console, status.get());
        // A flag and a join, not an interrupt: an interrupted consumer throws instead of reading
        // up to the end of the topic, which the count of duplicates needs.
        collecting = false;
        collector.join(Duration.ofSeconds(20).toMillis());
        return new Result(Map.copyOf(injected), Map.copyOf(scores), tally.check(injected.keySet()),
                (System.nanoTime() - start) / 1e9, driftedAt, streams, Map.copyOf(streamOf), Map.copyOf(trained));
    }

    private static void printStatus(PrintWriter out, boolean console, String line) {
        if (console) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    /**
     * Reads every partition of {@code image-scores} and {@code training-metrics} from the beginning,
     * read_committed, without a consumer group; once told to stop, reads on up to the end offsets of
     * that moment, so that every record committed by then is counted, a late duplicate included.
     */
    private void collect() {
        Map<String, Object> c = new HashMap<>(clientProps);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(Topics.IMAGE_SCORES, Topics.TRAINING_METRICS).stream()
                    .flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (collecting) {
                take(consumer, serde);
            }
            // read_committed: the end offsets are the last stable offsets, past every committed record.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                take(consumer, serde);
            }
        }
    }

    private void take(KafkaConsumer<String, byte[]> consumer, JsonSerde<ScoreRecord> serde) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            if (r.topic().equals(Topics.TRAINING_METRICS)) {
                TrainingMetrics m = METRICS.fromBytes(r.value());
                if (m.timestamp() >= startedAt) {
                    trained.merge(m.model(), m, (a, b) -> b.modelVersion() >= a.modelVersion() ? b : a);
                }
            } else if (r.key() != null && r.key().startsWith(runId)) {
                tally.count(r.key());
                scores.putIfAbsent(r.key(), new Seen(serde.fromBytes(r.value()), System.currentTimeMillis()));
            }
        }
    }

    /**
     * What the demo measured.
     *
     * @param streams the streams sent, in order
     * @param streamOf the stream of each image sent, by id
     * @param trained the newest training-metrics record of each model during the run, by model name
     */
    record Result(Map<String, Boolean> injected, Map<String, Seen> scores, ScoreTally.Check scoring, double seconds,
                  long driftedAt, List<DemoStream> streams, Map<String, String> streamOf,
                  Map<String, TrainingMetrics> trained) {

        /** Seconds of the windows the report gives the false-alarm rate in after a drift. */
        static final int DRIFT_WINDOW_SECONDS = 5;

        /** Images in the report's start-up span: a fresh JVM compiles its code meanwhile. */
        static final long STARTUP_MS = 10_000;

        /** Every image sent has exactly one committed score record, and nothing else was scored. */
        boolean scoredExactlyOnce() {
            return scoring.exactlyOnce();
        }

        /** {@code logFile}: where the full log went, or null when it went to the console. */
        String report(StreamAeSettings settings, long modelVersion, long trained, Double contamination,
                      List<ModelEvent> events, List<Path> figures, Path logFile, double wallSeconds) {
            long[] latencies = new long[scores.size()];
            int n = 0;
            for (Seen seen : scores.values()) {
                latencies[n++] = seen.receivedAt() - seen.score().imageTimestamp();
            }
            // With a drift, the headline figures cover the images before it; the change has lines of its own.
            DetectionSummary detection = DetectionSummary.of(scores.values().stream().map(Seen::score)
                            .filter(s -> driftedAt == 0 || s.imageTimestamp() < driftedAt).toList(),
                    s -> Boolean.TRUE.equals(injected.get(s.id())), settings.falseAlarmRate());
            long injectedCount = injected.values().stream().filter(b -> b).count();
            Arrays.sort(latencies, 0, n);
            // The first seconds are start-up (JIT compilation, the first model): shown apart.
            long firstImageAt = scores.values().stream().mapToLong(seen -> seen.score().imageTimestamp()).min().orElse(0);
            long[] steady = scores.values().stream()
                    .filter(seen -> seen.score().imageTimestamp() >= firstImageAt + STARTUP_MS)
                    .mapToLong(seen -> seen.receivedAt() - seen.score().imageTimestamp()).sorted().toArray();
            StringBuilder sb = new StringBuilder();
            sb.append("StreamAE demo report\n====================\n");
            if (streams.size() > 1) {
                sb.append(String.format("images produced        %,d over %d streams (%,d injected anomalies)%n",
                        injected.size(), streams.size(), injectedCount));
                sb.append(String.format("images scored          %s, all streams%n", scoring.summary()));
                sb.append(String.format("images trained         %,d, all models%n", trained));
                sb.append(perModel(settings));
            } else {
                DemoStream stream = streams.get(0);
                sb.append(String.format("images produced        %,d (%,d injected %s anomalies)%n", injected.size(),
                        injectedCount, stream.anomalyDataset()));
                sb.append(String.format("images scored          %s%n", scoring.summary()));
                sb.append(String.format("images trained         %,d%n", trained));
                sb.append(String.format("model version          %d (%s, metric %s)%n", modelVersion,
                        settings.architecture(), settings.metric().id()));
                if (driftedAt != 0) {
                    sb.append("before the drift:\n");
                }
                sb.append(detection.lines(stream.normal(), stream.anomalies()));
                if (driftedAt != 0) {
                    sb.append(driftLines(settings, events));
                }
                sb.append(String.format("contamination          %s injected, %s estimated by the trainer%n",
                        DetectionSummary.percent(injected.isEmpty() ? Double.NaN : (double) injectedCount / injected.size()),
                        DetectionSummary.percent(contamination == null ? Double.NaN : contamination)));
            }
            sb.append(String.format("throughput             %,.0f images/s scored over %.1f s%n", scores.size() / seconds, seconds));
            sb.append(String.format("latency to a readable score (read_committed)  p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                    percentile(latencies, n, 0.50), percentile(latencies, n, 0.95), percentile(latencies, n, 0.99),
                    n == 0 ? 0 : latencies[n - 1]));
            sb.append(String.format("  images after the first %d s   p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n", STARTUP_MS / 1000,
                    percentile(steady, steady.length, 0.50), percentile(steady, steady.length, 0.95),
                    percentile(steady, steady.length, 0.99), steady.length == 0 ? 0 : steady[steady.length - 1]));
            sb.append(String.format("wall time              %.1f s%n", wallSeconds));
            if (figures.isEmpty()) {
                sb.append("figures                none (no model was published)\n");
            }
            for (Path f : figures) {
                sb.append("figure                 ").append(f.toAbsolutePath()).append('\n');
            }
            sb.append("full log               ").append(logFile == null ? "on the console" : logFile.toAbsolutePath()).append('\n');
            return sb.toString();
        }

        /**
         * One row per stream, so per model: detection against that stream's injected anomalies, then
         * which models scored its images (as the score records name them), and the model's newest
         * training figures.
         */
        String perModel(StreamAeSettings settings) {
            int width = Math.max(5, streams.stream().mapToInt(s -> s.name().length()).max().orElse(0));
            StringBuilder detection = new StringBuilder(String.format(Locale.ROOT, "per model (target false-alarm rate %s):%n",
                    DetectionSummary.percent(settings.falseAlarmRate())));
            detection.append(DetectionSummary.header(width, "model"));
            StringBuilder training = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %8s  %9s  %8s  %-23s  %s%n",
                    "model", "images", "anomalies", "version", "trained (contamination)", "scored by"));
            for (DemoStream stream : streams) {
                List<ScoreRecord> own = scores.values().stream().map(Seen::score)
                        .filter(s -> stream.name().equals(streamOf.get(s.id()))).toList();
                DetectionSummary summary = DetectionSummary.of(own, s -> Boolean.TRUE.equals(injected.get(s.id())),
                        settings.falseAlarmRate());
                detection.append(summary.row(width, stream.name()));
                long sent = streamOf.values().stream().filter(stream.name()::equals).count();
                long anomalies = streamOf.entrySet().stream()
                        .filter(e -> e.getValue().equals(stream.name()) && Boolean.TRUE.equals(injected.get(e.getKey()))).count();
                TrainingMetrics m = trained.get(stream.model() == null ? settings.modelName() : stream.model());
                // The model whose snapshot scored: the fallback's when it stood in (scoredBy), else the image's own.
                String scoredBy = own.stream().map(r -> r.scoredBy() != null ? r.scoredBy() : r.model())
                        .filter(Objects::nonNull).distinct().sorted()
                        .collect(Collectors.joining(", "));
                training.append(String.format(Locale.ROOT, "%-" + width + "s  %,8d  %,9d  %8s  %-23s  %s%n", stream.name(),
                        sent, anomalies, m == null ? "-" : "v" + m.modelVersion(), m == null ? "no metrics published"
                                : String.format(Locale.ROOT, "%,d (%s)", m.examplesSeen(),
                                DetectionSummary.percent(m.contamination() == null ? Double.NaN : m.contamination())),
                        scoredBy.isEmpty() ? "none" : scoredBy));
            }
            return detection.append(training).toString();
        }

        /** The drift: when it came, what the trainer said about it, and the false-alarm rate after it. */
        private String driftLines(StreamAeSettings settings, List<ModelEvent> events) {
            StringBuilder sb = new StringBuilder();
            long imagesBefore = scores.values().stream().filter(s -> s.score().imageTimestamp() < driftedAt).count();
            sb.append(String.format(Locale.ROOT, "drift                  normal became Fashion-MNIST after about %,d images "
                    + "(drift.policy=%s); noise frames injected as anomalies from then on%n", imagesBefore,
                    settings.driftPolicy().id()));
            List<String> seen = events.stream().filter(e -> e.timestamp() >= driftedAt - 60_000)
                    .map(e -> String.format(Locale.ROOT, "%s %+.1f s", e.type().toLowerCase(Locale.ROOT).replace('_', ' '),
                            (e.timestamp() - driftedAt) / 1000.0)).toList();
            sb.append("  trainer's events     ").append(seen.isEmpty() ? "none" : String.join(", ", seen)).append('\n');
            StringBuilder windows = new StringBuilder();
            long last = scores.values().stream().mapToLong(s -> s.score().imageTimestamp()).max().orElse(driftedAt);
            for (long start = driftedAt; start < last; start += DRIFT_WINDOW_SECONDS * 1000L) {
                long from = start;
                long to = start + DRIFT_WINDOW_SECONDS * 1000L;
                DetectionSummary window = DetectionSummary.of(scores.values().stream().map(Seen::score)
                                .filter(s -> s.imageTimestamp() >= from && s.imageTimestamp() < to)
                                .toList(), s -> Boolean.TRUE.equals(injected.get(s.id())), settings.falseAlarmRate());
                windows.append(' ').append(DetectionSummary.percent(window.falseAlarmRate()));
            }
            sb.append(String.format(Locale.ROOT, "  false-alarm rate on the new normal, per %d s after the change:%s (target %s)%n",
                    DRIFT_WINDOW_SECONDS, windows, DetectionSummary.percent(settings.falseAlarmRate())));
            return sb.toString();
        }

        private static String ratio(int a, int b) {
            return b == 0 ? "n/a" : String.format("%.3f", (double) a / b);
        }

        private static long percentile(long[] sorted, int n, double q) {
            return n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)];
        }
    }
}
