package dev.streamae.streams;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of the scorer, read by the CLI's progress line, the dashboard and the metrics
 * exported beside Kafka Streams' own. Updated on stream threads, read from anywhere.
 */
public final class ScorerMetrics {

    private final AtomicLong badRecords = new AtomicLong();

    private final AtomicLong scored = new AtomicLong();
    private final AtomicLong anomalies = new AtomicLong();
    private final AtomicLong latencyMsSum = new AtomicLong();

    /** Counts a scored batch: once per batch, not per image, since these counters are shared by all stream threads. */
    void scored(int images, int anomalous, long latencyMsTotal) {
        scored.addAndGet(images);
        anomalies.addAndGet(anomalous);
        latencyMsSum.addAndGet(latencyMsTotal);
    }

    public long imagesScored() {
        return scored.get();
    }

    public long anomalies() {
        return anomalies.get();
    }

    /** Mean time from image timestamp to score, over all images scored, in ms. */
    public double meanLatencyMs() {
        long n = scored.get();
        return n == 0 ? Double.NaN : (double) latencyMsSum.get() / n;
    }

    /** Counts records rejected as bad; handed to the exception handlers through the Streams config. */
    public AtomicLong badRecordsCounter() {
        return badRecords;
    }

    public long badRecords() {
        return badRecords.get();
    }
}
