package dev.streamae.streams;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Live counters of the trainer, read by the CLI's progress line, the dashboard and the metrics
 * exported beside Kafka Streams' own. Updated on the stream thread, read from anywhere.
 */
public final class TrainerMetrics {

    private final AtomicLong badRecords = new AtomicLong();

    private final AtomicLong examplesTrained = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong modelVersion = new AtomicLong();
    private final AtomicLong publishedAt = new AtomicLong();
    private volatile double lastLoss = Double.NaN;
    private volatile double threshold = Double.NaN;
    private final DoubleAdder lossSinceRead = new DoubleAdder();

    void restored(long examples, long version) {
        examplesTrained.set(examples);
        modelVersion.set(version);
    }

    void stepped(int examples, double loss) {
        examplesTrained.addAndGet(examples);
        steps.incrementAndGet();
        lastLoss = loss;
        lossSinceRead.add(loss);
    }

    void skipped(long n) {
        skipped.addAndGet(n);
    }

    void published(long version, double loss, double threshold, long at) {
        modelVersion.set(version);
        this.threshold = threshold;
        publishedAt.set(at);
    }

    /** Examples folded into the model, in total (restored from state after a restart). */
    public long examplesTrained() {
        return examplesTrained.get();
    }

    /** Optimiser steps taken by this process. */
    public long steps() {
        return steps.get();
    }

    public long skippedAnomalies() {
        return skipped.get();
    }

    public long modelVersion() {
        return modelVersion.get();
    }

    public long publishedAt() {
        return publishedAt.get();
    }

    public double lastLoss() {
        return lastLoss;
    }

    public double threshold() {
        return threshold;
    }

    /** Counts records rejected as bad; handed to the exception handlers through the Streams config. */
    public AtomicLong badRecordsCounter() {
        return badRecords;
    }

    public long badRecords() {
        return badRecords.get();
    }
}
