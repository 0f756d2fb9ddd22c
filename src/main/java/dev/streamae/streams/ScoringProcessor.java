package dev.streamae.streams;

import dev.streamae.model.Autoencoder;
import dev.streamae.model.Scores;
import dev.streamae.model.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores images in micro-batches: one forward pass per batch costs about what one image costs, so
 * batching is what makes the scorer fast. Exactly-once is kept by buffering in the logged store
 * {@link #BUFFER_STORE} (puts and deletes go into the same transaction as the offsets), never in
 * memory only: Kafka Streams may commit between two records, and a batch held only in memory
 * would then be lost on a crash. A batch is scored when it is full or, on a wall-clock
 * punctuator, at the first tick of a {@link ScoreSlots slot} after the one its oldest image
 * arrived in; a tick later one task of the thread requests the commit that makes the scores
 * visible to {@code read_committed} readers. After a restart, {@link #init} reloads a restored
 * buffer and the first tick scores it.
 */
final class ScoringProcessor implements Processor<String, ValidImage, String, ScoreRecord> {

    static final String BUFFER_STORE = "scorer-buffer";
    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    private final StreamAeSettings settings;
    private final ModelRegistry registry;
    private final ScorerMetrics metrics;
    private final ScoreSlots slots;
    private ProcessorContext<String, ScoreRecord> context;
    private KeyValueStore<Long, byte[]> buffer;
    private final List<KeyValue<Long, ValidImage>> batch = new ArrayList<>();
    private long nextSeq;
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

    ScoringProcessor(StreamAeSettings settings, ModelRegistry registry, ScorerMetrics metrics, ScoreSlots slots) {
        this.settings = settings;
        this.registry = registry;
        this.metrics = metrics;
        this.slots = slots;
    }

    @Override
    public void init(ProcessorContext<String, ScoreRecord> context) {
        this.context = context;
        this.buffer = context.getStateStore(BUFFER_STORE);
        try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                batch.add(KeyValue.pair(kv.key, ValidImageCodec.decode(kv.value)));
                nextSeq = Math.max(nextSeq, kv.key + 1);
            }
        }
        oldestSlot = Long.MIN_VALUE;
        if (!batch.isEmpty()) {
            LOG.info("scorer task {} restored {} buffered images; scoring them on the first tick",
                    context.taskId(), batch.size());
        }
        sensors = new TaskSensors(context, TaskSensors.SCORER_GROUP);
        scoredSensor = sensors.counter("images-scored", "images scored by this task");
        anomalySensor = sensors.counter("anomalies", "images flagged as anomalies by this task");
        latencySensor = sensors.distribution("score-latency-ms", "time from image timestamp to score, ms");
        batchSensor = sensors.distribution("batch-size", "images per scoring batch");
        versionSensor = sensors.gauge("model-version", "Version of the model this scorer uses (0: none yet)");
        ageSensor = sensors.gauge("model-age-ms", "Age of the model this scorer uses, ms since it was published");
        rejectedSensor = sensors.gauge("rejected-snapshots-total", "Snapshots this scorer process rejected");
        badRecordsSensor = sensors.gauge("bad-records-total", "Bad records this scorer process sent to the dead-letter queue");
        context.schedule(java.time.Duration.ofMillis(slots.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, ValidImage> record) {
        long seq = nextSeq++;
        buffer.put(seq, ValidImageCodec.encodeExact(record.value()));
        if (batch.isEmpty()) {
            oldestSlot = slots.slotOf(context.currentSystemTimeMs());
        }
        batch.add(KeyValue.pair(seq, record.value()));
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
        Snapshot snapshot = registry.current();
        long now = context.currentSystemTimeMs();
        List<ScoreRecord> out = new ArrayList<>(batch.size());
        if (snapshot == null) {
            for (KeyValue<Long, ValidImage> kv : batch) {
                ValidImage image = kv.value;
                out.add(new ScoreRecord(image.id(), null, null, settings.metric().id(), null, false,
                        ScoreRecord.Status.NO_MODEL, 0, image.label(), image.timestamp(), now));
            }
        } else {
            Autoencoder model = registry.modelFor(snapshot);
            float[][] rows = new float[batch.size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = batch.get(i).value.pixels();
            }
            Scores scores = model.score(rows);
            boolean ready = snapshot.threshold().warmedUp() && snapshot.examplesSeen() >= settings.warmupExamples();
            ScoreRecord.Status status = ready ? ScoreRecord.Status.READY : ScoreRecord.Status.WARMING_UP;
            double threshold = snapshot.threshold().value();
            for (int i = 0; i < rows.length; i++) {
                ValidImage image = batch.get(i).value;
                double error = scores.errors()[i];
                boolean anomaly = ready && error > threshold;
                out.add(new ScoreRecord(image.id(), scores.codes()[i], error, snapshot.metric().id(), threshold,
                        anomaly, status, snapshot.modelVersion(), image.label(), image.timestamp(), now));
            }
        }
        for (KeyValue<Long, ValidImage> kv : batch) {
            buffer.delete(kv.key);
        }
        batch.clear();
        scoredSlot = slots.slotOf(now);
        batchSensor.record(out.size());
        long oldestImage = Long.MAX_VALUE;
        for (ScoreRecord score : out) {
            oldestImage = Math.min(oldestImage, score.imageTimestamp());
            context.forward(new Record<>(score.id(), score, score.imageTimestamp()));
            metrics.scored(score, now);
            scoredSensor.record();
            latencySensor.record(Math.max(0, now - score.imageTimestamp()));
            if (score.anomaly()) {
                anomalySensor.record();
            }
        }
        slots.scored(now, out.size(), oldestImage);
    }
}
