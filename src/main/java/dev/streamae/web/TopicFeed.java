package dev.streamae.web;

import dev.streamae.model.Architecture;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's one consumer, on its own thread, reading seven topics with read_committed (so
 * it shows only what the exactly-once topologies committed) and manual assignment: it belongs to no
 * consumer group, commits nothing, and never takes partitions away from anyone. Where it starts:
 * <ul>
 *   <li>{@code images}, {@code image-scores}, {@code anomaly-alerts}, {@code training-metrics},
 *       {@code model-events}: a little before the end, enough to fill the page at once (the caps of
 *       {@link DashboardLimits});</li>
 *   <li>{@code models}: the last few records per model held ({@link DashboardLimits#models()}),
 *       which hold the newest snapshots while a trainer runs (reading the whole compacted topic could
 *       mean hundreds of megabytes of old snapshots in its uncompacted head);</li>
 *   <li>{@code images-dlq}: the beginning, to count every dead letter exactly (offsets cannot:
 *       transaction markers take offsets too). Dead letters are expected to be few.</li>
 * </ul>
 * Every model's records are kept, by the model they name (a score's {@code model}, the key of the
 * others); snapshots pass the scorer's checks (signature, architecture) and lose their optimiser
 * state, which the page never needs. Topics that do not exist yet, and partitions added later, are picked up by a periodic check: a
 * deployment older than {@code model-events} simply shows no events until the topic is created.
 * Failures (broker away, a record that does not parse) are logged, rate-limited, and never stop the
 * thread.
 */
final class TopicFeed implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long ASSIGNMENT_CHECK_MS = 10_000;
    /** Offsets (records and transaction markers) read back on {@code models} beyond one per model held. */
    private static final int MODEL_HISTORY = 8;
    private static final String DLQ_REASON = "__streams.errors.message";

    private enum From { BEGINNING, RECENT }

    private record Source(From from, int history) {
    }

    private final Map<String, Source> sources = new HashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final DashboardState state;
    private final RecentImages images;
    private final SnapshotCodec codec;
    private final Architecture architecture;
    private final JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
    private final JsonSerde<TrainingMetrics> metrics = JsonSerde.of(TrainingMetrics.class);
    private final JsonSerde<ModelEvent> events = JsonSerde.of(ModelEvent.class);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Set<String> reportedMissing = new HashSet<>();
    private volatile boolean running = true;
    private long nextAssignmentCheck;
    private long lastProblemLog;

    TopicFeed(Map<String, Object> clientProps, DashboardLimits limits, DashboardState state, RecentImages images,
              StreamAeSettings settings) {
        this.state = state;
        this.images = images;
        this.codec = SnapshotCodec.withOptionalKey(settings.signingKey());
        this.architecture = settings.architecture();
        sources.put(Topics.TRAINING_METRICS, new Source(From.RECENT, limits.chartPoints()));
        sources.put(Topics.MODEL_EVENTS, new Source(From.RECENT, limits.events()));
        sources.put(Topics.IMAGE_SCORES, new Source(From.RECENT, limits.latentPoints()));
        sources.put(Topics.ANOMALY_ALERTS, new Source(From.RECENT, limits.alerts()));
        sources.put(Topics.IMAGES, new Source(From.RECENT, Math.min(limits.recentImages(), limits.latentPoints())));
        sources.put(Topics.MODELS, new Source(From.RECENT, limits.models() + MODEL_HISTORY));
        sources.put(Topics.IMAGES_DLQ, new Source(From.BEGINNING, 0));
        this.consumer = new KafkaConsumer<>(consumerConfig(clientProps), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * The caller's client settings (bootstrap servers, security) that a consumer understands, plus
     * the dashboard's own: read_committed, no group and no commits, room for a model snapshot.
     */
    static Map<String, Object> consumerConfig(Map<String, Object> clientProps) {
        Set<String> known = ConsumerConfig.configNames();
        Map<String, Object> c = new HashMap<>();
        clientProps.forEach((k, v) -> {
            if (known.contains(k) && v != null) {
                c.put(k, v);
            }
        });
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamae-dashboard-" + UUID.randomUUID().toString().substring(0, 8));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 10 << 20);
        return c;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    long now = System.currentTimeMillis();
                    if (now >= nextAssignmentCheck) {
                        nextAssignmentCheck = now + ASSIGNMENT_CHECK_MS;
                        refreshAssignment();
                    }
                    if (assigned.isEmpty()) {
                        Thread.sleep(POLL.toMillis());
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                        dispatch(r);
                    }
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } catch (KafkaException e) {
                    problem("reading the topics failed; retrying", e);
                    Thread.sleep(1000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the dashboard's topic feed stopped", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Stops the thread (from any thread) at its next poll. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    private void refreshAssignment() {
        List<TopicPartition> fresh = new ArrayList<>();
        for (String topic : sources.keySet()) {
            List<PartitionInfo> partitions;
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (KafkaException e) {
                problem("cannot list the partitions of " + topic + " (is the broker reachable?)", e);
                return;
            }
            if (partitions == null || partitions.isEmpty()) {
                if (reportedMissing.add(topic)) {
                    LOG.warn("topic {} does not exist yet; the dashboard will read it once it does", topic);
                }
                continue;
            }
            for (PartitionInfo p : partitions) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                if (!assigned.contains(tp)) {
                    fresh.add(tp);
                }
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(fresh);
        Map<TopicPartition, Long> end = consumer.endOffsets(fresh);
        Map<String, Integer> partitionCounts = new HashMap<>();
        fresh.forEach(tp -> partitionCounts.merge(tp.topic(), 1, Integer::sum));
        List<TopicPartition> all = new ArrayList<>(assigned);
        all.addAll(fresh);
        consumer.assign(all);
        for (TopicPartition tp : fresh) {
            Source s = sources.get(tp.topic());
            long first = begin.getOrDefault(tp, 0L);
            long start = first;
            if (s.from() == From.RECENT) {
                int perPartition = (s.history() + partitionCounts.get(tp.topic()) - 1) / partitionCounts.get(tp.topic());
                start = Math.max(first, end.getOrDefault(tp, first) - perPartition);
            }
            consumer.seek(tp, start);
        }
        assigned.addAll(fresh);
        LOG.info("dashboard reading {} partitions of {}", assigned.size(), sources.keySet());
    }

    private void dispatch(ConsumerRecord<String, byte[]> r) {
        switch (r.topic()) {
            case Topics.IMAGES -> images.add(r.key(), r.value());
            case Topics.IMAGE_SCORES -> {
                ScoreRecord s = parse(scores, r);
                if (s != null) {
                    state.addScore(s);
                }
            }
            case Topics.ANOMALY_ALERTS -> {
                ScoreRecord s = parse(scores, r);
                if (s != null) {
                    state.addAlert(s);
                }
            }
            case Topics.TRAINING_METRICS -> {
                TrainingMetrics m = parse(metrics, r);
                if (m != null) {
                    state.addTraining(r.key(), m);
                }
            }
            case Topics.MODEL_EVENTS -> {
                ModelEvent e = parse(events, r);
                if (e != null) {
                    state.addEvent(r.key(), e);
                }
            }
            case Topics.MODELS -> {
                if (r.key() != null && r.value() != null) {
                    offerSnapshot(r);
                }
            }
            case Topics.IMAGES_DLQ -> state.addDeadLetter(header(r, DLQ_REASON), r.timestamp());
            default -> LOG.debug("ignoring a record of {}", r.topic());
        }
    }

    /** The scorer's checks (signature, architecture; {@link DashboardState} keeps only newer versions). */
    private void offerSnapshot(ConsumerRecord<String, byte[]> r) {
        Snapshot s;
        try {
            s = codec.decode(r.value()).requireArchitecture(architecture).withoutOptimiserState();
        } catch (RuntimeException e) {
            state.rejectSnapshot(r.key());
            problem("rejected a snapshot of model " + r.key() + " at offset " + r.offset(), e);
            return;
        }
        if (!state.addSnapshot(r.key(), s)) {
            LOG.debug("ignoring snapshot version {} of model {}: older than the one shown", s.modelVersion(), r.key());
        }
    }

    private <T> T parse(JsonSerde<T> serde, ConsumerRecord<String, byte[]> r) {
        try {
            return serde.fromBytes(r.value());
        } catch (RuntimeException e) {
            state.addUnreadable();
            problem("unreadable record on " + r.topic() + " at offset " + r.offset(), e);
            return null;
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Logs a recurring problem at most every 30 seconds. */
    private void problem(String what, Exception e) {
        long now = System.currentTimeMillis();
        if (now - lastProblemLog > 30_000) {
            lastProblemLog = now;
            LOG.warn("dashboard: {}: {}", what, e.toString());
        }
    }
}
