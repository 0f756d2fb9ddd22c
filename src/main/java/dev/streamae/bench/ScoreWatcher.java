package dev.streamae.bench;

import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code image-scores} as a user would (read_committed, so a score counts once its
 * transaction committed), from the end of the topic when it was created, counting the scores of
 * images whose id starts with a prefix and, optionally, their latency: the time this consumer
 * received the score minus the image's timestamp (the scorer writes each score with its image's
 * timestamp).
 */
final class ScoreWatcher implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String idPrefix;
    private final long latencyFrom;
    private final Thread thread;
    private final LongList latencies = new LongList();
    /** Per latency-window score: the scorer's clock when it scored, minus the image timestamp. */
    private final LongList untilScored = new LongList();
    private volatile boolean running = true;
    private volatile long count;
    private volatile long firstAtNanos;
    private volatile long countAtFirst;
    private volatile long lastAtNanos;
    private volatile long cpuAtFirst;
    private volatile long cpuAtLast;
    private volatile String firstStatus;
    private volatile RuntimeException failure;

    /**
     * @param latencyFrom images with a timestamp (epoch ms) before this do not count toward the
     *     latencies (warm-up); {@link Long#MAX_VALUE}: no latencies
     */
    ScoreWatcher(Map<String, Object> clientProps, String idPrefix, long latencyFrom) {
        Map<String, Object> c = new HashMap<>(clientProps);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "streamae-bench-watch-" + UUID.randomUUID());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.idPrefix = idPrefix;
        this.latencyFrom = latencyFrom;
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.IMAGE_SCORES).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);  // resolve "end" now, before anything is scored
        this.thread = new Thread(this::poll, "bench-score-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        JsonSerde<ScoreRecord> serde = JsonSerde.of(ScoreRecord.class);
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(50));
                long nowMs = System.currentTimeMillis();
                long nowNanos = System.nanoTime();
                long seen = 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.key() == null || !r.key().startsWith(idPrefix)) {
                        continue;
                    }
                    seen++;
                    if (firstStatus == null) {
                        firstStatus = serde.fromBytes(r.value()).status().name();
                    }
                    if (r.timestamp() >= latencyFrom) {
                        long scoredAt = serde.fromBytes(r.value()).scoredAt();
                        synchronized (latencies) {
                            latencies.add(nowMs - r.timestamp());
                            untilScored.add(scoredAt - r.timestamp());
                        }
                    }
                }
                if (seen > 0) {
                    long cpu = ProcessCpu.nanos();
                    if (firstAtNanos == 0) {
                        firstAtNanos = nowNanos;
                        countAtFirst = seen;
                        cpuAtFirst = cpu;
                    }
                    lastAtNanos = nowNanos;
                    cpuAtLast = cpu;
                    count += seen;
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    long count() {
        rethrow();
        return count;
    }

    /** Waits until {@code n} scores were seen; false on timeout. */
    boolean awaitCount(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /**
     * Scores per second after the first batch of scores became visible: the scores seen after
     * that first poll over the time until the last, so start-up is not counted.
     */
    double steadyRate() {
        long n = count - countAtFirst;
        double seconds = (lastAtNanos - firstAtNanos) / 1e9;
        return n > 0 && seconds > 0 ? n / seconds : Double.NaN;
    }

    /** CPU time this JVM used per score over the same span as {@link #steadyRate()}, in microseconds. */
    double cpuMicrosPerScore() {
        return ProcessCpu.microsPerImage(cpuAtFirst, cpuAtLast, count - countAtFirst);
    }

    /** Status of the first score seen (READY when the scorer had a warmed-up model), or null. */
    String firstStatus() {
        return firstStatus;
    }

    long[] latencies() {
        synchronized (latencies) {
            return latencies.toArray();
        }
    }

    /** The part of each latency until the scorer scored the image; the rest is commit and delivery. */
    long[] untilScored() {
        synchronized (latencies) {
            return untilScored.toArray();
        }
    }

    private void rethrow() {
        if (failure != null) {
            throw new IllegalStateException("reading image-scores failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
    }

    /** A growable array of longs. */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
