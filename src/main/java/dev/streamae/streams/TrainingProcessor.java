package dev.streamae.streams;

import dev.streamae.model.Autoencoder;
import dev.streamae.model.Scores;
import dev.streamae.model.Snapshot;
import dev.streamae.model.ThresholdWindow;
import dev.streamae.model.TrainStep;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * Folds every training example into the model exactly once, and publishes snapshots.
 *
 * <p>Crash safety comes from Kafka Streams state, not from memory. The model with its Adam state,
 * the threshold window and the counters form a checkpoint in the logged {@link #STATE_STORE};
 * every example that arrives is put, with its sequence number, into the logged {@link #PENDING_STORE}.
 * Both stores write to their changelogs in the same transaction as the input offsets, so at every
 * commit "checkpoint + logged examples from the checkpoint's sequence number on" is exactly what was
 * consumed. After a restart, {@link #init} loads the checkpoint and trains again on those logged
 * examples (replay), in order; the counters then count each example once.
 *
 * <p>The pending store is a ring of {@link #ringSlots} slots (sequence number modulo the ring),
 * overwritten rather than deleted: a checkpoint is forced before the examples since the last one
 * could wrap around, and the store's cache keeps only the last write of a slot per commit, so the
 * changelog carries at most one record per slot and commit instead of a record and a tombstone
 * per example (at 25,000 examples/s and a commit a second: 6,500 records instead of 50,000).
 *
 * <p>Why not checkpoint after every step: encoding the model and Adam's state (~2.6 MB) costs
 * about as much as a training step. A checkpoint is taken every {@link #CHECKPOINT_EVERY_STEPS}
 * steps and with every published snapshot (so a replay never re-publishes a version), which
 * bounds the replay to a few hundred milliseconds of training.
 *
 * <p>Each example's error before the step that learns it (its prequential error) enters the
 * threshold window; the anomaly threshold is a quantile of that window. A wall-clock punctuator
 * trains a partial mini-batch whose oldest example has waited too long, so a quiet stream does
 * not leave examples unlearnt, and publishes after {@code publish.interval.ms}.
 */
final class TrainingProcessor implements Processor<String, byte[], String, TrainerTopology.Published> {

    static final String PENDING_STORE = "trainer-pending";
    static final String STATE_STORE = "trainer-state";
    /** Optimiser steps between checkpoints: the most a restart has to replay. */
    static final int CHECKPOINT_EVERY_STEPS = 50;
    private static final String MODEL_KEY = "model";
    private static final String WINDOW_KEY = "threshold-window";
    private static final String PROGRESS_KEY = "progress";
    private static final String SEQ_KEY = "replay-from-seq";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);

    private final StreamAeSettings settings;
    private final ModelFactory factory;
    private final TrainerMetrics metrics;

    private ProcessorContext<String, TrainerTopology.Published> context;
    private KeyValueStore<Long, byte[]> pendingStore;
    private KeyValueStore<String, byte[]> stateStore;
    private Autoencoder model;
    private ThresholdWindow window;
    private TrainerProgress progress;
    /** Slots of the pending ring: room for twice the examples a checkpoint may leave uncovered. */
    private final int ringSlots;
    /** Sequence number of the first example the last checkpoint does not cover. */
    private long checkpointSeq;
    /** Sequence number after the last example trained (or skipped). */
    private long trainedUpTo;
    /** Logged examples waiting for a full mini-batch. */
    private final List<KeyValue<Long, ValidImage>> pending = new ArrayList<>();
    private long stepsAtCheckpoint;
    private long nextSeq;
    private long oldestPendingAt;
    private long lastPublishAt;
    private long examplesAtLastPublish;
    private long skippedAtLastPublish;
    private TaskSensors sensors;
    private Sensor trainedSensor;
    private Sensor skippedSensor;
    private Sensor lossSensor;
    private Sensor thresholdSensor;
    private Sensor versionSensor;
    private Sensor badRecordsSensor;

    TrainingProcessor(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics) {
        this.settings = settings;
        this.factory = factory;
        this.metrics = metrics;
        this.ringSlots = 2 * (CHECKPOINT_EVERY_STEPS + 1) * settings.batchSize();
    }

    /** Examples after which a checkpoint is due even without 50 steps (when anomalies were skipped). */
    private long checkpointEveryExamples() {
        return (long) CHECKPOINT_EVERY_STEPS * settings.batchSize();
    }

    @Override
    public void init(ProcessorContext<String, TrainerTopology.Published> context) {
        this.context = context;
        this.pendingStore = context.getStateStore(PENDING_STORE);
        this.stateStore = context.getStateStore(STATE_STORE);
        createSensors();
        this.model = factory.create(settings.architecture(), settings.metric());
        byte[] saved = stateStore.get(MODEL_KEY);
        if (saved != null) {
            model.restore(ModelSnapshots.decodeCheckpoint(saved, settings).toModelState());
        }
        stepsAtCheckpoint = model.steps();
        byte[] savedWindow = stateStore.get(WINDOW_KEY);
        window = savedWindow != null ? ThresholdWindow.fromBytes(savedWindow) : new ThresholdWindow(settings.thresholdWindow());
        byte[] savedProgress = stateStore.get(PROGRESS_KEY);
        progress = savedProgress != null ? TrainerProgress.fromBytes(savedProgress) : TrainerProgress.START;
        long checkpointed = progress.examplesSeen();
        byte[] savedSeq = stateStore.get(SEQ_KEY);
        checkpointSeq = savedSeq != null ? ByteBuffer.wrap(savedSeq).getLong() : 0;
        trainedUpTo = checkpointSeq;
        nextSeq = checkpointSeq;
        List<KeyValue<Long, byte[]>> logged = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> it = pendingStore.all()) {
            while (it.hasNext()) {
                byte[] value = it.next().value;
                long seq = ByteBuffer.wrap(value).getLong();
                if (seq >= checkpointSeq) {
                    logged.add(KeyValue.pair(seq, Arrays.copyOfRange(value, Long.BYTES, value.length)));
                }
                nextSeq = Math.max(nextSeq, seq + 1);
            }
        }
        logged.sort(Comparator.comparingLong(kv -> kv.key));
        for (KeyValue<Long, byte[]> kv : logged) {
            pending.add(KeyValue.pair(kv.key, ValidImageCodec.decode(kv.value)));
            if (pending.size() >= settings.batchSize()) {
                trainPending();  // replay: logged examples the checkpoint does not cover yet
            }
        }
        long now = context.currentSystemTimeMs();
        oldestPendingAt = now;
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        metrics.restored(progress.examplesSeen(), progress.modelVersion());
        versionSensor.record(progress.modelVersion());
        LOG.info("trainer task {} starts at {} examples ({} from the checkpoint, {} replayed), {} steps, "
                        + "model version {}, {} pending", context.taskId(), progress.examplesSeen(), checkpointed,
                progress.examplesSeen() - checkpointed, model.steps(), progress.modelVersion(), pending.size());
        Duration tick = min(settings.partialBatchAfter(), settings.publishInterval()).dividedBy(2);
        context.schedule(tick.isZero() ? Duration.ofMillis(1) : tick, PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    private void createSensors() {
        sensors = new TaskSensors(context, TaskSensors.TRAINER_GROUP);
        trainedSensor = sensors.counter("images-trained", "images folded into the model by this task");
        skippedSensor = sensors.counter("anomalies-skipped", "training images not learnt because the model flagged them");
        lossSensor = sensors.gauge("training-loss", "Training loss (MSE) of the last mini-batch");
        thresholdSensor = sensors.gauge("anomaly-threshold", "Anomaly threshold of the last published model");
        versionSensor = sensors.gauge("model-version", "Version of the last published model");
        badRecordsSensor = sensors.gauge("bad-records-total", "Bad records this trainer process skipped");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long seq = nextSeq++;
        // Our own encoding of a validated image (see TrainerTopology); decoded before it is logged,
        // so a corrupt record fails here, goes to the processing exception handler and is never replayed.
        byte[] logged = record.value();
        ValidImage image = ValidImageCodec.decode(logged);
        pendingStore.put(seq % ringSlots, ByteBuffer.allocate(Long.BYTES + logged.length).putLong(seq).put(logged).array());
        if (pending.isEmpty()) {
            oldestPendingAt = context.currentSystemTimeMs();
        }
        // Train on the 8-bit pixels that were logged, so a replay after a crash sees the same data.
        pending.add(KeyValue.pair(seq, image));
        if (pending.size() >= settings.batchSize()) {
            trainPending();
            maybePublish(context.currentSystemTimeMs(), false);
        }
    }

    /** Wall-clock tick: train a stale partial batch, publish if due. Never throws (it has no record to blame). */
    private void onTick(long now) {
        badRecordsSensor.record(metrics.badRecords());
        try {
            if (!pending.isEmpty() && now - oldestPendingAt >= settings.partialBatchAfter().toMillis()) {
                trainPending();
            }
            maybePublish(now, true);
        } catch (RuntimeException e) {
            LOG.error("trainer tick failed; the pending examples stay logged and are retried", e);
        }
    }

    @Override
    public void close() {
        if (sensors != null) {
            sensors.close();
        }
    }

    private void trainPending() {
        float[][] rows = new float[pending.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = pending.get(i).value.pixels();
        }
        long skipped = 0;
        if (settings.skipAnomalies() && progress.examplesSeen() >= settings.warmupExamples() && !window.isEmpty()) {
            double threshold = window.quantile(settings.thresholdQuantile());
            Scores scores = model.score(rows);
            List<float[]> kept = new ArrayList<>(rows.length);
            for (int i = 0; i < rows.length; i++) {
                if (scores.errors()[i] > threshold) {
                    skipped++;
                } else {
                    kept.add(rows[i]);
                }
            }
            rows = kept.toArray(new float[0][]);
        }
        double lossSum = progress.lossSum();
        long lossSteps = progress.lossSteps();
        if (rows.length > 0) {
            TrainStep step = model.train(rows);
            for (double e : step.errorsBefore()) {
                window.add(e);
            }
            lossSum += step.loss();
            lossSteps++;
            metrics.stepped(rows.length, step.loss());
            trainedSensor.record(rows.length);
            lossSensor.record(step.loss());
        }
        trainedUpTo = pending.get(pending.size() - 1).key + 1;
        pending.clear();
        progress = new TrainerProgress(progress.examplesSeen() + rows.length, progress.skippedAnomalies() + skipped,
                progress.modelVersion(), progress.stepsAtPublish(), lossSum, lossSteps);
        metrics.skipped(skipped);
        if (skipped > 0) {
            skippedSensor.record(skipped);
        }
        if (model.steps() - stepsAtCheckpoint >= CHECKPOINT_EVERY_STEPS
                || trainedUpTo - checkpointSeq >= checkpointEveryExamples()) {
            checkpoint();
        }
    }

    /** Saves model, Adam state, window and counters, and where the logged examples they do not cover begin. */
    private void checkpoint() {
        stateStore.put(MODEL_KEY, ModelSnapshots.encodeCheckpoint(ModelSnapshots.snapshot(settings, model.state(true),
                progress.modelVersion(), progress.examplesSeen(), window, context.currentSystemTimeMs())));
        stateStore.put(WINDOW_KEY, window.toBytes());
        stateStore.put(PROGRESS_KEY, progress.toBytes());
        checkpointSeq = trainedUpTo;
        stateStore.put(SEQ_KEY, ByteBuffer.allocate(Long.BYTES).putLong(checkpointSeq).array());
        stepsAtCheckpoint = model.steps();
    }

    private void maybePublish(long now, boolean onTick) {
        boolean bySteps = model.steps() - progress.stepsAtPublish() >= settings.publishEverySteps();
        boolean changed = model.steps() > progress.stepsAtPublish() || progress.skippedAnomalies() > skippedAtLastPublish;
        boolean byTime = onTick && changed && now - lastPublishAt >= settings.publishInterval().toMillis();
        if (bySteps || byTime) {
            publish(now);
        }
    }

    private void publish(long now) {
        long version = progress.modelVersion() + 1;
        double meanLoss = progress.lossSteps() == 0 ? Double.NaN : progress.lossSum() / progress.lossSteps();
        double seconds = Math.max(1e-3, (now - lastPublishAt) / 1000.0);
        double rate = (progress.examplesSeen() - examplesAtLastPublish) / seconds;
        progress = new TrainerProgress(progress.examplesSeen(), progress.skippedAnomalies(), version, model.steps(), 0, 0);
        Snapshot published = ModelSnapshots.snapshot(settings, model.state(settings.snapshotWithOptimiser()), version,
                progress.examplesSeen(), window, now);
        double threshold = published.threshold().value();
        TrainingMetrics record = new TrainingMetrics(settings.modelName(), version, meanLoss, threshold,
                settings.thresholdQuantile(), window.count(), settings.metric().id(), progress.examplesSeen(),
                model.steps(), progress.skippedAnomalies(), rate, now);
        // The checkpoint moves with the published version, so a replay never publishes a version twice.
        checkpoint();
        context.forward(new Record<>(settings.modelName(),
                new TrainerTopology.Published(ModelSnapshots.encodePublished(settings, published), record), now));
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        metrics.published(version, meanLoss, threshold, now);
        versionSensor.record(version);
        thresholdSensor.record(threshold);
        LOG.debug("published model {} version {}: {} examples, loss {}, threshold {}", settings.modelName(), version,
                progress.examplesSeen(), meanLoss, threshold);
    }
}
