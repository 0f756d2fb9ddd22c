package dev.streamae.streams;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Live counters of the trainer, read by the CLI's progress line, the dashboard and the metrics
 * exported beside Kafka Streams' own. Updated on the stream thread, read from anywhere.
 */
public final class TrainerMetrics {

    private final AtomicLong badRecords = new AtomicLong();

    /** Examples learnt per model this process has trained (restored from state after a restart). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> examplesByModel = new java.util.concurrent.ConcurrentHashMap<>();

    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong modelVersion = new AtomicLong();
    private final AtomicLong publishedAt = new AtomicLong();
    private volatile double lastLoss = Double.NaN;
    private volatile TrainingMetrics lastPublished;
    private final DoubleAdder lossSinceRead = new DoubleAdder();
    private final AtomicLong verdictsNormal = new AtomicLong();
    private final AtomicLong verdictsAnomaly = new AtomicLong();
    /** The newest {@link #MAX_EVENTS} drift events this process sent, oldest first. */
    private final java.util.Deque<ModelEvent> recentEvents = new java.util.concurrent.ConcurrentLinkedDeque<>();
    static final int MAX_EVENTS = 100;

    void restored(String model, long examples, long version) {
        examplesByModel.put(model, examples);
        modelVersion.accumulateAndGet(version, Math::max);
    }

    void stepped(String model, int examples, double loss) {
        examplesByModel.merge(model, (long) examples, Long::sum);
        steps.incrementAndGet();
        lastLoss = loss;
        lossSinceRead.add(loss);
    }

    void skipped(long n) {
        skipped.addAndGet(n);
    }

    void verdicts(long normal, long anomaly) {
        verdictsNormal.addAndGet(normal);
        verdictsAnomaly.addAndGet(anomaly);
    }

    void event(ModelEvent event) {
        recentEvents.addLast(event);
        while (recentEvents.size() > MAX_EVENTS) {
            recentEvents.pollFirst();
        }
    }

    /** Operators' verdicts "normal" this process applied. */
    public long verdictsNormal() {
        return verdictsNormal.get();
    }

    /** Operators' verdicts "anomaly" this process applied. */
    public long verdictsAnomaly() {
        return verdictsAnomaly.get();
    }

    /** The newest drift events this process sent (at most 100), oldest first. */
    public java.util.List<ModelEvent> recentEvents() {
        return java.util.List.copyOf(recentEvents);
    }

    void published(TrainingMetrics record) {
        modelVersion.set(record.modelVersion());
        lastPublished = record;
        publishedAt.set(record.timestamp());
    }

    /** Examples folded into the models this process trains, in total (restored from state after a restart). */
    public long examplesTrained() {
        return examplesByModel.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Examples folded into {@code model} as far as this process knows (0 for a model it never trained). */
    public long examplesTrained(String model) {
        return examplesByModel.getOrDefault(model, 0L);
    }

    /** Models this process trained (or restored), resident or not. */
    public int models() {
        return examplesByModel.size();
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

    /** The threshold at the configured false-alarm rate of the last published model, NaN before one. */
    public double threshold() {
        TrainingMetrics last = lastPublished;
        return last == null || last.threshold() == null ? Double.NaN : last.threshold();
    }

    /** What the last publish of any model reported (calibration, contamination, alert rate), or null before one. */
    public TrainingMetrics lastPublished() {
        return lastPublished;
    }

    /** Counts records rejected as bad; handed to the exception handlers through the Streams config. */
    public AtomicLong badRecordsCounter() {
        return badRecords;
    }

    public long badRecords() {
        return badRecords.get();
    }
}
