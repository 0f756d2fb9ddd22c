package dev.streamae.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the scorer's exactly-once commits cost over a latency window, read from the Kafka Streams
 * and producer metrics before and after it, with the CPU the scorer's JVM and the whole machine
 * used meanwhile. A score becomes visible only when its transaction commits, and the stream thread
 * neither polls nor scores while it commits, so these figures show how long images wait behind
 * commits on average, and how much CPU the machine had left for them.
 */
final class CommitCosts {

    private final KafkaStreams streams;
    private final Reading start;

    private record Reading(double commits, double flushNs, double offsetsNs, double commitNs, long wallNanos,
                           long processCpuNanos, long[] machineTicks) {
    }

    CommitCosts(KafkaStreams streams) {
        this.streams = streams;
        this.start = read();
    }

    /** One line: commits, their average phases and the CPU used since construction. */
    String summary() {
        Reading end = read();
        double commits = end.commits - start.commits;
        double seconds = (end.wallNanos - start.wallNanos) / 1e9;
        String machine = machineBusy(start.machineTicks, end.machineTicks);
        return String.format(Locale.ROOT, "%,.0f commits (%.0f/s), per commit: flush %.1f ms, offsets %.1f ms, "
                        + "end %.1f ms; scorer JVM %.0f%% of a core, machine %s busy",
                commits, commits / seconds, perCommitMs(end.flushNs - start.flushNs, commits),
                perCommitMs(end.offsetsNs - start.offsetsNs, commits), perCommitMs(end.commitNs - start.commitNs, commits),
                100.0 * (end.processCpuNanos - start.processCpuNanos) / (end.wallNanos - start.wallNanos), machine);
    }

    private static double perCommitMs(double nanos, double commits) {
        return commits > 0 ? nanos / 1e6 / commits : Double.NaN;
    }

    private Reading read() {
        return new Reading(metric("stream-thread-metrics", "commit-total"),
                metric("producer-metrics", "flush-time-ns-total"),
                metric("producer-metrics", "txn-send-offsets-time-ns-total"),
                metric("producer-metrics", "txn-commit-time-ns-total"),
                System.nanoTime(), ProcessCpu.nanos(), machineTicks());
    }

    /** Sum over all clients of the app (one stream thread, one producer by default). */
    private double metric(String group, String name) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName m = e.getKey();
            if (m.group().equals(group) && m.name().equals(name) && e.getValue().metricValue() instanceof Number n) {
                double v = n.doubleValue();
                sum += Double.isNaN(v) ? 0 : v;
            }
        }
        return sum;
    }

    /** Busy and total jiffies of all CPUs from /proc/stat, or null where there is none. */
    private static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String machineBusy(long[] before, long[] after) {
        if (before == null || after == null || after[1] <= before[1]) {
            return "?";
        }
        return String.format(Locale.ROOT, "%.0f%%", 100.0 * (after[0] - before[0]) / (after[1] - before[1]));
    }
}
