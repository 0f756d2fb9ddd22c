package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Calibration;
import dev.streamae.model.Scores;
import dev.streamae.model.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores images in micro-batches: one forward pass per batch costs about what one image costs, so
 * batching is what makes the scorer fast. A batch is scored when it is full or, on a wall-clock
 * punctuator, at the first tick of a {@link ScoreSlots slot} after the one its oldest image
 * arrived in; a tick later one task of the thread requests the commit that makes the scores
 * visible to {@code read_committed} readers.
 *
 * <p>Many models: a batch holds the images of every model on the task's partition. It is scored
 * with one forward pass per model in it, each by the snapshot {@link ModelRegistry#served} names for
 * that model (its pin, its newest or the fallback model's); a batch of one model, which a
 * single-model deployment always has, is scored as it is, with no grouping. Batches are not split
 * by model: the latency bound stays that of one batch, and a rare model costs a small forward pass,
 * not a wait for a full batch of its own.
 *
 * <p>Exactly-once: Kafka Streams may commit between two records, and a batch held only in memory
 * would then be lost on a crash, its offsets committed and its scores never written. So when a
 * batch starts, the offset of its first image goes into the logged store {@link #PENDING_STORE}
 * (in the same transaction as the offsets), and is deleted with the transaction that carries the
 * batch's scores. A restored task that finds an offset there reads its images again from
 * {@code images} ({@link BufferReplay}) and scores them on its first tick. Two changelog records
 * per batch, where logging the images themselves took two per image (the image and its delete)
 * and was, with the commits, the largest cost of a scored image.
 */
final class ScoringProcessor implements Processor<String, ValidImage, String, ScoreRecord> {

    static final String PENDING_STORE = "scorer-pending";
    /** How long a restored task may take to read its unscored images again. */
    private static final java.time.Duration REPLAY_TIMEOUT = java.time.Duration.ofMinutes(2);
    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    private final StreamAeSettings settings;
    private final ModelRegistry registry;
    private final ScorerMetrics metrics;
    private final ScoreSlots slots;
    private final ImageDecoder decoder;
    private ProcessorContext<String, ScoreRecord> context;
    /** This task's partition of {@code images} -> offset of the first image of its batch. */
    private KeyValueStore<Integer, Long> pending;
    private int partition;
    /** Whether {@link #pending} holds an offset for this task (it does while a batch is open). */
    private boolean pendingLogged;
    private final List<SourcedImage> batch = new ArrayList<>();
    private long oldestSlot;
    /** Slot in which this task last scored a batch: it then has something for the thread's commit. */
    private long scoredSlot = Long.MIN_VALUE;
    /** Slot of the last gauge update: gauges need no more than one reading per slot, not per tick. */
    private long gaugedSlot = Long.MIN_VALUE;
    private TaskSensors sensors;
    private Sensor scoredSensor;
    private Sensor anomalySensor;
    private Sensor latencySensor;
    private Sensor batchSensor;
    private Sensor versionSensor;
    private Sensor ageSensor;
    private Sensor rejectedSensor;
    private Sensor badRecordsSensor;

    ScoringProcessor(StreamAeSettings settings, ModelRegistry registry, ScorerMetrics metrics, ScoreSlots slots,
                     ImageDecoder decoder) {
        this.settings = settings;
        this.registry = registry;
        this.metrics = metrics;
        this.slots = slots;
        this.decoder = decoder;
    }

    @Override
    public void init(ProcessorContext<String, ScoreRecord> context) {
        this.context = context;
        this.pending = context.getStateStore(PENDING_STORE);
        this.partition = context.taskId().partition();
        oldestSlot = Long.MIN_VALUE;
        // Kafka Streams may initialise a processor again after closing it (a corrupted task).
        batch.clear();
        Long from = pending.get(partition);
        pendingLogged = from != null;
        if (from != null) {
            TopicPartition source = new TopicPartition(Topics.IMAGES, partition);
            BufferReplay.Replayed replayed = BufferReplay.read(context.appConfigs(), context.applicationId(), source, from,
                    decoder, settings.models(), REPLAY_TIMEOUT);
            batch.addAll(replayed.images());
            LOG.info("scorer task {} read {} unscored images again from {} offsets {} to {} (skipped {} records "
                    + "already in the dead-letter queue); scoring them on the first tick", context.taskId(),
                    replayed.images().size(), source, from, replayed.upTo(), replayed.skipped());
        }
        sensors = new TaskSensors(context, TaskSensors.SCORER_GROUP);
        scoredSensor = sensors.counter("images-scored", "images scored by this task");
        anomalySensor = sensors.counter("anomalies", "images flagged as anomalies by this task");
        latencySensor = sensors.distribution("score-latency-ms", "time from image timestamp to score, ms");
        batchSensor = sensors.distribution("batch-size", "images per scoring batch");
        // One model's, not every model's: a gauge per model per task would multiply the series by the
        // models. The default model's is what a single-model deployment had; model-events and
        // `streamae models list` tell about the others.
        versionSensor = sensors.gauge("model-version",
                "Version of the default model (model.name) this scorer serves, a pinned one included (0: none yet)");
        ageSensor = sensors.gauge("model-age-ms",
                "Age of the default model's snapshot this scorer serves, ms since it was published");
        rejectedSensor = sensors.gauge("rejected-snapshots-total", "Snapshots this scorer process rejected");
        badRecordsSensor = sensors.gauge("bad-records-total", "Bad records this scorer process sent to the dead-letter queue");
        context.schedule(java.time.Duration.ofMillis(slots.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, ValidImage> record) {
        if (batch.isEmpty()) {
            oldestSlot = slots.slotOf(context.currentSystemTimeMs());
        }
        long offset = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("an image to score has no source offset")).offset();
        if (!pendingLogged) {
            pending.put(partition, offset);
            pendingLogged = true;
        }
        batch.add(new SourcedImage(record.value(), offset));
        if (batch.size() >= settings.scoreBatchSize()) {
            scoreBatch();
        }
    }

    private void onTick(long now) {
        long slot = slots.slotOf(now);
        if (slot != gaugedSlot) {
            gaugedSlot = slot;
            Snapshot current = registry.current();
            versionSensor.record(current == null ? 0 : current.modelVersion());
            ageSensor.record(current == null ? Double.NaN : now - current.createdAt().toEpochMilli());
            rejectedSensor.record(registry.rejectedSnapshots());
            badRecordsSensor.record(metrics.badRecords());
        }
        if (batch.isEmpty() && pendingLogged) {
            // A restored batch whose records were all bad: nothing to score, nothing to read again.
            pending.delete(partition);
            pendingLogged = false;
        }
        if (!batch.isEmpty() && oldestSlot < slot) {
            try {
                scoreBatch();
            } catch (RuntimeException e) {
                // A punctuator has no record to hand to the exception handler: keep the batch
                // buffered and try again on the next tick rather than kill the stream thread.
                LOG.error("scoring a batch of {} images failed; will retry", batch.size(), e);
            }
        }
        if (scoredSlot == slot && slots.claimCommit(now)) {
            // Scores become visible to read_committed readers now rather than after up to
            // commit.interval.ms; the commit covers every task of this thread.
            context.commit();
        }
    }

    @Override
    public void close() {
        if (sensors != null) {
            sensors.close();
        }
    }

    private void scoreBatch() {
        long now = context.currentSystemTimeMs();
        ScoreRecord[] scored = new ScoreRecord[batch.size()];
        String first = modelOf(batch.get(0));
        boolean oneModel = true;
        for (int i = 1; i < scored.length && oneModel; i++) {
            oneModel = first.equals(modelOf(batch.get(i)));
        }
        if (oneModel) {
            // The common case, a single-model deployment included: the batch as it is, nothing grouped.
            scoreGroup(first, null, scored, now);
        } else {
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < scored.length; i++) {
                groups.computeIfAbsent(modelOf(batch.get(i)), m -> new ArrayList<>()).add(i);
            }
            groups.forEach((model, positions) ->
                    scoreGroup(model, positions.stream().mapToInt(Integer::intValue).toArray(), scored, now));
        }
        List<ScoreRecord> out = Arrays.asList(scored);
        pending.delete(partition);
        pendingLogged = false;
        batch.clear();
        scoredSlot = slots.slotOf(now);
        batchSensor.record(out.size());
        long oldestImage = Long.MAX_VALUE;
        long latencySum = 0;
        int anomalies = 0;
        for (ScoreRecord score : out) {
            oldestImage = Math.min(oldestImage, score.imageTimestamp());
            context.forward(new Record<>(score.id(), score, score.imageTimestamp()));
            long latency = Math.max(0, now - score.imageTimestamp());
            latencySum += latency;
            // Per image: the sensor's average and maximum are over images, not batches.
            latencySensor.record(latency, now);
            anomalies += score.anomaly() ? 1 : 0;
        }
        // Counters take the batch's count at once (a sum and a rate): each record takes the sensor's locks.
        metrics.scored(out.size(), anomalies, latencySum);
        scoredSensor.record(out.size(), now);
        if (anomalies > 0) {
            anomalySensor.record(anomalies, now);
        }
        slots.scored(now, out.size(), oldestImage);
    }

    /** The image's model: its routed name, or the default model for an image decoded without one. */
    private String modelOf(SourcedImage sourced) {
        String model = sourced.image().model();
        return model == null ? settings.modelName() : model;
    }

    /**
     * Scores the images of one model in one forward pass, writing each score at its image's place in
     * the batch, so that scores leave in the order their images came whatever the mix of models.
     *
     * @param positions the images' places in {@link #batch}, or null for the whole batch
     */
    private void scoreGroup(String modelName, int[] positions, ScoreRecord[] out, long now) {
        int size = positions == null ? batch.size() : positions.length;
        ModelRegistry.Served served = registry.served(modelName);
        if (served == null) {
            for (int i = 0; i < size; i++) {
                int at = positions == null ? i : positions[i];
                SourcedImage sourced = batch.get(at);
                ValidImage image = sourced.image();
                out[at] = new ScoreRecord(image.id(), modelName, 0, null, null, null, null, settings.metric().id(), null,
                        null, false, ScoreRecord.Status.NO_MODEL, image.label(), partition, sourced.offset(),
                        image.timestamp(), now);
            }
            return;
        }
        Snapshot snapshot = served.snapshot();
        Autoencoder model = registry.modelFor(snapshot);
        float[][] rows = new float[size][];
        for (int i = 0; i < size; i++) {
            rows[i] = batch.get(positions == null ? i : positions[i]).image().pixels();
        }
        Scores scores = model.codesAndErrors(rows);
        // Alerts need a calibration fitted after the warm-up, and this scorer's own warm-up.
        boolean ready = snapshot.alerting() && snapshot.examplesSeen() >= settings.warmupExamples();
        ScoreRecord.Status status = ready ? ScoreRecord.Status.READY : ScoreRecord.Status.WARMING_UP;
        Calibration calibration = snapshot.calibration();
        double rate = settings.falseAlarmRate();
        Double threshold = calibration == null ? null : calibration.threshold(rate);
        Boolean pinned = served.pinned() ? Boolean.TRUE : null;
        for (int i = 0; i < size; i++) {
            int at = positions == null ? i : positions[i];
            SourcedImage sourced = batch.get(at);
            ValidImage image = sourced.image();
            double error = scores.errors()[i];
            Double pValue = calibration == null ? null : calibration.pValue(error);
            boolean anomaly = ready && pValue < rate;
            out[at] = new ScoreRecord(image.id(), modelName, snapshot.modelVersion(), served.scoredBy(), pinned,
                    scores.codes()[i], error, snapshot.metric().id(), pValue, threshold, anomaly, status, image.label(),
                    partition, sourced.offset(), image.timestamp(), now);
        }
    }
}
