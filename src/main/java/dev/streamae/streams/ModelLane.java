package dev.streamae.streams;

import dev.streamae.model.AlertCalibrator;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Calibration;
import dev.streamae.model.DriftEvent;
import dev.streamae.model.ExampleOrigin;
import dev.streamae.model.Snapshot;
import dev.streamae.model.TrainStep;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's training inside a trainer task: its network with Adam's state, its alerting state
 * ({@link AlertCalibrator}: recent errors, calibrations, drift), its counters and the logged
 * examples its checkpoint does not cover yet. {@link TrainingProcessor} routes each example to the
 * lane of its model (the record key) and owns what the lanes of a task share: the stores, the
 * step thread and the punctuator.
 *
 * <p>Crash safety comes from Kafka Streams state, not from memory. The lane's checkpoint (model,
 * calibrator, counters, and the sequence number of the first example it does not cover) lives in the
 * logged state store under keys prefixed by the model name; every example that arrives is put,
 * with its sequence number, into the logged pending store under the model's ring slot. Both stores
 * write to their changelogs in the same transaction as the input offsets, so at every commit
 * "checkpoint + logged examples from its sequence number on" is exactly what was consumed. A lane
 * that is loaded (after a restart, a rebalance or an eviction) restores its checkpoint and trains
 * again on those logged examples, in order; the counters then count each example once.
 *
 * <p>The pending ring has {@link #ringSlots} slots per model (sequence number modulo the ring),
 * overwritten rather than deleted: a checkpoint is forced before the examples since the last one
 * could wrap around, and the store's cache keeps only the last write of a slot per commit, so the
 * changelog carries at most one record per slot and commit instead of a record and a tombstone per
 * example. An evicted lane deletes its slots: they are all covered by the checkpoint it takes then.
 *
 * <p>Why not checkpoint after every step: encoding the model and Adam's state (~2.6 MB) costs about
 * as much as a training step. A checkpoint is taken every {@link #CHECKPOINT_EVERY_STEPS} steps and
 * with every published snapshot (so a replay never re-publishes a version), which bounds the replay
 * to a few hundred milliseconds of training.
 *
 * <p>Optimiser steps run on the task's step thread: while the model learns one mini-batch, the
 * stream thread reads, validates and logs the next. The stream thread alone touches stores,
 * counters and the context: it hands a batch over, and folds the step's outcome in (window,
 * counters, checkpoint, publish) once the step is done, at the latest when the next batch is full,
 * and always before a checkpoint reads the model. A step still in flight at a commit is covered
 * like any pending example: its examples are logged and lie after the checkpoint's sequence number.
 *
 * <p>Each example's error before the step that learns it (its prequential error) enters the
 * calibrator's window, from which it fits the calibration published with the model; images whose
 * error the calibration flags are not learnt ({@code train.skip.anomalies}), in the same pass that
 * learns the others. Each batch is judged by a calibration chosen by batch number (see
 * {@link AlertCalibrator}), so that a replay skips what the first run skipped.
 */
final class ModelLane {

    /** Optimiser steps between checkpoints: the most a restart has to replay. */
    static final int CHECKPOINT_EVERY_STEPS = 50;
    /**
     * Steps handed to the step thread and not folded in yet, at most: the step thread starts the next
     * mini-batch the moment it ends one, instead of idling while the stream thread wakes up, folds
     * the outcome in and hands the next one over.
     */
    static final int MAX_IN_FLIGHT = 2;
    private static final Logger LOG = LoggerFactory.getLogger(ModelLane.class);

    /** What a lane needs from its task: the stores, the context, the step thread. */
    record Task(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics,
                ProcessorContext<String, TrainerTopology.Published> context, KeyValueStore<String, byte[]> stateStore,
                PendingRing pending, ExecutorService stepExecutor) {
    }

    /**
     * A step handed to the step thread: its batch number, the examples it covers (put back if it
     * fails) and where each came from.
     */
    private record InFlight(long batch, List<KeyValue<Long, TrainingExample>> examples, ExampleOrigin[] origins,
                            CompletableFuture<TrainStep> outcome) {
    }

    private final String name;
    private final Task task;
    private final StreamAeSettings settings;
    private final StateKeys keys;
    /** Slots of this model's pending ring (see the class comment). */
    private final int ringSlots;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Set on the step thread by a failed step, so that the steps queued behind it leave the model alone. */
    private final AtomicBoolean stepFailed = new AtomicBoolean();
    private final List<KeyValue<Long, TrainingExample>> pending = new ArrayList<>();
    /** Drift events folded in and not forwarded yet: sent, after a checkpoint that covers them, at the next chance. */
    private final List<ModelEvent> unsent = new ArrayList<>();
    private final Autoencoder model;
    private AlertCalibrator calibrator;
    private TrainerProgress progress;
    private ModelHistory history;
    /** Optimiser steps folded in: the model's own count is the step thread's while steps are in flight. */
    private long foldedSteps;
    private long nextBatch;
    private long checkpointSeq;
    private long trainedUpTo;
    private long stepsAtCheckpoint;
    private long nextSeq;
    private long oldestPendingAt;
    private long lastExampleAt;
    private long lastPublishAt;
    private long examplesAtLastPublish;
    private long skippedAtLastPublish;
    private long flaggedAtLastPublish;
    private long judgedAtLastPublish;
    private long confirmedAnomaliesAtLastPublish;
    private final TaskSensors sensors;
    private final Sensor trainedSensor;
    private final Sensor skippedSensor;
    private final Sensor lossSensor;
    private final Sensor thresholdSensor;
    private final Sensor contaminationSensor;
    private final Sensor alertRateSensor;
    private final Sensor versionSensor;
    private final Sensor verdictsSensor;
    private final Sensor driftSensor;
    private final Sensor heldSensor;
    private final Sensor precisionSensor;

    /**
     * Loads the lane of {@code name}: its checkpoint if it has one, then the logged examples the
     * checkpoint does not cover, trained again in order (replay).
     */
    ModelLane(String name, Task task) {
        this.name = name;
        this.task = task;
        this.settings = task.settings();
        this.keys = new StateKeys(name);
        this.ringSlots = ringSlots(settings);
        sensors = new TaskSensors(task.context(), TaskSensors.TRAINER_GROUP, name);
        trainedSensor = sensors.counter("images-trained", "images folded into the model by this task");
        skippedSensor = sensors.counter("anomalies-skipped", "training images not learnt because the model flagged them");
        lossSensor = sensors.gauge("training-loss", "Training loss (MSE) of the last mini-batch");
        thresholdSensor = sensors.gauge("anomaly-threshold", "Anomaly threshold of the last published model at the "
                + "configured false-alarm rate");
        contaminationSensor = sensors.gauge("contamination-estimate", "Estimated fraction of anomalies among the "
                + "recent training images, at the last publish");
        alertRateSensor = sensors.gauge("alert-rate", "Fraction of the training images since the previous publish "
                + "that the calibration flagged (the target is alert.false.alarm.rate plus the contamination)");
        versionSensor = sensors.gauge("model-version", "Version of the last published model");
        verdictsSensor = sensors.counter("feedback-verdicts", "operators' verdicts applied by this task");
        driftSensor = sensors.gauge("drift-statistic", "The drift detector's change statistic at the last publish "
                + "(a change is suspected at 100 and confirmed at 250)");
        heldSensor = sensors.gauge("learning-held", "1 while learning from the stream is held (drift.policy=hold), else 0");
        precisionSensor = sensors.gauge("feedback-precision", "Confirmed anomalies over all operators' verdicts so far "
                + "(NaN before the first verdict)");
        precisionSensor.record(Double.NaN);  // a gauge starts at 0, which would read as "every alert false"

        KeyValueStore<String, byte[]> state = task.stateStore();
        model = task.factory().create(settings.architecture(), settings.metric());
        byte[] saved = keys.get(state, StateKeys.MODEL);
        if (saved != null) {
            model.restore(ModelSnapshots.decodeCheckpoint(saved, settings).toModelState());
        }
        stepsAtCheckpoint = model.steps();
        foldedSteps = model.steps();
        byte[] savedCalibrator = keys.get(state, StateKeys.CALIBRATOR);
        calibrator = savedCalibrator != null ? AlertCalibrator.fromBytes(savedCalibrator, calibratorSettings())
                : new AlertCalibrator(calibratorSettings());
        byte[] savedProgress = keys.get(state, StateKeys.PROGRESS);
        progress = savedProgress != null ? TrainerProgress.fromBytes(savedProgress) : TrainerProgress.START;
        history = ModelHistory.fromBytes(keys.get(state, StateKeys.HISTORY));
        nextBatch = progress.batches();
        long checkpointed = progress.examplesSeen();
        byte[] savedSeq = keys.get(state, StateKeys.SEQ);
        checkpointSeq = savedSeq != null ? ByteBuffer.wrap(savedSeq).getLong() : 0;
        trainedUpTo = checkpointSeq;
        nextSeq = checkpointSeq;
        List<KeyValue<Long, byte[]>> logged = new ArrayList<>();
        for (KeyValue<Long, byte[]> entry : task.pending().entries(name)) {
            if (entry.key >= checkpointSeq) {
                logged.add(entry);
            }
            nextSeq = Math.max(nextSeq, entry.key + 1);
        }
        logged.sort(Comparator.comparingLong(kv -> kv.key));
        for (KeyValue<Long, byte[]> kv : logged) {
            pending.add(KeyValue.pair(kv.key, TrainingExample.decode(kv.value)));
            if (pending.size() >= settings.batchSize()) {
                startStep();  // replay: logged examples the checkpoint does not cover yet
                finishStep();
            }
        }
        long now = task.context().currentSystemTimeMs();
        oldestPendingAt = now;
        lastExampleAt = now;
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        flaggedAtLastPublish = calibrator.flagged();
        judgedAtLastPublish = calibrator.judged();
        confirmedAnomaliesAtLastPublish = calibrator.confirmedAnomalies();
        task.metrics().restored(name, progress.examplesSeen(), progress.modelVersion());
        Double restoredPrecision = precision();
        if (restoredPrecision != null) {
            precisionSensor.record(restoredPrecision);
        }
        versionSensor.record(progress.modelVersion());
        LOG.info("trainer task {} model {} starts at {} examples ({} from the checkpoint, {} replayed), {} steps, "
                        + "version {}, {} pending", task.context().taskId(), name, progress.examplesSeen(), checkpointed,
                progress.examplesSeen() - checkpointed, model.steps(), progress.modelVersion(), pending.size());
    }

    String name() {
        return name;
    }

    /** Slots of a model's pending ring (see the class comment). */
    static int ringSlots(StreamAeSettings settings) {
        return (CHECKPOINT_EVERY_STEPS + 4) * settings.batchSize();
    }

    private AlertCalibrator.Settings calibratorSettings() {
        return new AlertCalibrator.Settings(settings.falseAlarmRate(), settings.calibrationWindow(),
                settings.publishEverySteps(), settings.warmupExamples(), settings.skipAnomalies(), MAX_IN_FLIGHT - 1,
                settings.driftPolicy());
    }

    /** Examples after which a checkpoint is due even without 50 steps (when anomalies were skipped). */
    private long checkpointEveryExamples() {
        return (long) CHECKPOINT_EVERY_STEPS * settings.batchSize();
    }

    /** Logs and queues one example of this model (already decoded from {@code logged}, its logged bytes). */
    void add(byte[] logged, TrainingExample example) {
        long seq = nextSeq++;
        task.pending().put(name, seq, ringSlots, logged);
        long now = task.context().currentSystemTimeMs();
        if (pending.isEmpty()) {
            oldestPendingAt = now;
        }
        lastExampleAt = now;
        // Train on the 8-bit pixels that were logged, so a replay after a crash sees the same data.
        pending.add(KeyValue.pair(seq, example));
        foldFinishedSteps();
        if (pending.size() >= settings.batchSize()) {
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                finishStepAndMaybePublish();
            }
            startStep();
            foldFinishedSteps();  // a step on the stream thread is done already
        }
        sendEvents();
    }

    private void foldFinishedSteps() {
        while (!inFlight.isEmpty() && inFlight.peek().outcome().isDone()) {
            finishStepAndMaybePublish();
        }
    }

    private void finishStepAndMaybePublish() {
        finishStep();
        maybePublish(task.context().currentSystemTimeMs(), false);
    }

    /** Wall-clock tick: train a stale partial batch, publish if due. */
    void tick(long now) {
        finishSteps();
        if (!pending.isEmpty() && now - oldestPendingAt >= settings.partialBatchAfter().toMillis()) {
            startStep();
            finishSteps();
        }
        maybePublish(now, true);
        sendEvents();
    }

    /** Whether this lane had no example for {@code idleFor} ms and has nothing left to learn or send. */
    boolean idle(long now, long idleFor) {
        return now - lastExampleAt >= idleFor && pending.isEmpty() && inFlight.isEmpty() && unsent.isEmpty();
    }

    /**
     * Leaves memory: publishes what changed since the last publish, checkpoints, and deletes the
     * ring's slots (the checkpoint covers them all). The next example of this model loads it again.
     */
    void evict(long now) {
        finishSteps();
        if (changedSincePublish()) {
            publish(now);
        } else {
            checkpoint();
        }
        task.pending().deleteAll(name);
        close();
    }

    /** Lets a step in flight finish, without folding it in: its examples are logged after the checkpoint. */
    void close() {
        for (InFlight next : inFlight) {
            next.outcome().exceptionally(ignored -> null).join();
        }
        inFlight.clear();
        sensors.close();
    }

    /**
     * Hands the pending examples to the step thread as one mini-batch, numbered; the step leaves
     * out the examples the calibration for that batch number flags (with {@code skip.anomalies}).
     */
    private void startStep() {
        List<KeyValue<Long, TrainingExample>> examples = new ArrayList<>(pending);
        pending.clear();
        float[][] rows = new float[examples.size()][];
        long batch = nextBatch++;
        ExampleOrigin[] origins = new ExampleOrigin[rows.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = examples.get(i).value.image().pixels();
            origins[i] = examples.get(i).value.origin();
        }
        // An operator's "normal" is learnt whatever its error; "anomaly" never is.
        double[] skipAbove = calibrator.skipAbove(batch, origins);
        Autoencoder stepModel = model;
        Supplier<TrainStep> step = () -> {
            if (stepFailed.get()) {
                throw new IllegalStateException("not run: a step before it failed");
            }
            try {
                return stepModel.trainSkipping(rows, skipAbove);
            } catch (RuntimeException e) {
                stepFailed.set(true);
                throw e;
            }
        };
        CompletableFuture<TrainStep> outcome = task.stepExecutor() == null
                ? completedOrFailed(step) : CompletableFuture.supplyAsync(step, task.stepExecutor());
        inFlight.add(new InFlight(batch, examples, origins, outcome));
    }

    private static CompletableFuture<TrainStep> completedOrFailed(Supplier<TrainStep> step) {
        try {
            return CompletableFuture.completedFuture(step.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for every step in flight and folds their outcomes in, oldest first. */
    private void finishSteps() {
        while (!inFlight.isEmpty()) {
            finishStep();
        }
    }

    /** Waits for the oldest step in flight, if any, and folds its outcome in; checkpoints when one is due. */
    private void finishStep() {
        InFlight done = inFlight.poll();
        if (done == null) {
            return;
        }
        fold(done);
        if (foldedSteps - stepsAtCheckpoint >= CHECKPOINT_EVERY_STEPS
                || trainedUpTo - checkpointSeq >= checkpointEveryExamples()) {
            checkpoint();
        }
    }

    /**
     * Folds a finished step in. A failed step puts its examples back in front of the pending ones
     * (they stay logged), so they are tried again rather than lost; so do the steps queued behind
     * it, which did not run (see {@link #stepFailed}), and the order of the examples is kept.
     */
    private void fold(InFlight done) {
        TrainStep step;
        try {
            step = done.outcome().join();
        } catch (CompletionException e) {
            List<KeyValue<Long, TrainingExample>> back = new ArrayList<>(done.examples());
            for (InFlight next = inFlight.poll(); next != null; next = inFlight.poll()) {
                next.outcome().exceptionally(ignored -> null).join();
                back.addAll(next.examples());
            }
            stepFailed.set(false);
            // The batches that did not run are formed again, under the same numbers.
            nextBatch = done.batch();
            pending.addAll(0, back);
            throw new IllegalStateException("optimiser step of model " + name + " on " + done.examples().size()
                    + " examples failed", e.getCause());
        }
        double lossSum = progress.lossSum();
        long lossSteps = progress.lossSteps();
        AlertCalibrator.BatchErrors errors = AlertCalibrator.BatchErrors.split(step.errorsBefore(), done.origins());
        int feedbackLearnt = errors.confirmedNormal().length;
        int skipped = errors.stream().length - (step.learnt() - feedbackLearnt);  // verdicts "normal" are always learnt
        if (step.stepped()) {
            lossSum += step.loss();
            lossSteps++;
            foldedSteps++;
            task.metrics().stepped(name, step.learnt(), step.loss());
            trainedSensor.record(step.learnt());
            lossSensor.record(step.loss());
        }
        trainedUpTo = done.examples().get(done.examples().size() - 1).key + 1;
        progress = new TrainerProgress(progress.examplesSeen() + step.learnt(), progress.skippedAnomalies() + skipped,
                progress.modelVersion(), progress.stepsAtPublish(), lossSum, lossSteps, done.batch() + 1);
        AlertCalibrator.Folded folded = calibrator.fold(done.batch(), errors, progress.examplesSeen());
        for (DriftEvent event : folded.events()) {
            unsent.add(new ModelEvent(name, progress.modelVersion(), event.type().name(),
                    settings.driftPolicy().id(), event.imagesJudged(), event.changeAt(), event.statistic(),
                    event.threshold(), progress.examplesSeen(), task.context().currentSystemTimeMs()));
            LOG.info("model {} version {}: {} at image {} (change placed at {}), statistic {}", name,
                    progress.modelVersion(), event.type(), event.imagesJudged(), event.changeAt(), event.statistic());
        }
        if (skipped > 0) {
            task.metrics().skipped(skipped);
            skippedSensor.record(skipped);
        }
        if (errors.confirmedAnomalies() + feedbackLearnt > 0) {
            task.metrics().verdicts(feedbackLearnt, errors.confirmedAnomalies());
            verdictsSensor.record(errors.confirmedAnomalies() + feedbackLearnt);
        }
    }

    /**
     * Forwards the drift events folded in since the last call, after a checkpoint that covers the
     * batches they came from: a replay after a crash starts past those batches and so never sends
     * an event twice, and the checkpoint commits in the same transaction as the events.
     */
    private void sendEvents() {
        while (!unsent.isEmpty()) {
            sendCheckpointedEvents();
        }
    }

    private void sendCheckpointedEvents() {
        List<ModelEvent> sending = new ArrayList<>(unsent);
        unsent.clear();
        if (sending.stream().anyMatch(e -> e.type().equals(DriftEvent.Type.RECALIBRATED.name()))) {
            // Scorers judge by the calibration published with the model: give them the new normal's
            // now. Publishing checkpoints too.
            publish(task.context().currentSystemTimeMs());
        } else {
            checkpoint();
        }
        // Either folded whatever was in flight, which may have added events: the caller sends those next.
        for (ModelEvent event : sending) {
            task.context().forward(new Record<>(name, TrainerTopology.Published.event(event), event.timestamp()));
            task.metrics().event(event);
        }
    }

    /** Waits for every step in flight and folds them in, oldest first, without checkpointing: before the model is read. */
    private void foldAll() {
        for (InFlight next = inFlight.poll(); next != null; next = inFlight.poll()) {
            fold(next);
        }
    }

    /** Saves model, Adam state, alerting state and counters, and where the logged examples they do not cover begin. */
    private void checkpoint() {
        foldAll();
        long now = task.context().currentSystemTimeMs();
        KeyValueStore<String, byte[]> state = task.stateStore();
        keys.put(state, StateKeys.MODEL, ModelSnapshots.encodeCheckpoint(ModelSnapshots.snapshot(settings, name,
                model.state(true), progress.modelVersion(), progress.examplesSeen(), calibrator, now)));
        keys.put(state, StateKeys.CALIBRATOR, calibrator.toBytes());
        keys.put(state, StateKeys.PROGRESS, progress.toBytes());
        keys.put(state, StateKeys.HISTORY, history.toBytes());
        checkpointSeq = trainedUpTo;
        keys.put(state, StateKeys.SEQ, ByteBuffer.allocate(Long.BYTES).putLong(checkpointSeq).array());
        stepsAtCheckpoint = foldedSteps;
    }

    /** Confirmed anomalies over all verdicts so far, or null before the first verdict. */
    private Double precision() {
        long verdicts = calibrator.confirmedNormal() + calibrator.confirmedAnomalies();
        return verdicts == 0 ? null : (double) calibrator.confirmedAnomalies() / verdicts;
    }

    /** Skipped images and verdicts on anomalies change no weight, but what the metrics report. */
    private boolean changedSincePublish() {
        return foldedSteps > progress.stepsAtPublish() || progress.skippedAnomalies() > skippedAtLastPublish
                || calibrator.confirmedAnomalies() > confirmedAnomaliesAtLastPublish;
    }

    private void maybePublish(long now, boolean onTick) {
        boolean bySteps = foldedSteps - progress.stepsAtPublish() >= settings.publishEverySteps();
        boolean byTime = onTick && changedSincePublish() && now - lastPublishAt >= settings.publishInterval().toMillis();
        if (bySteps || byTime) {
            publish(now);
        }
    }

    private void publish(long now) {
        // The snapshot reads the model, and its counters must be the model's own; the checkpoint
        // below covers whatever this folds in.
        foldAll();
        long version = progress.modelVersion() + 1;
        double meanLoss = progress.lossSteps() == 0 ? Double.NaN : progress.lossSum() / progress.lossSteps();
        double seconds = Math.max(1e-3, (now - lastPublishAt) / 1000.0);
        double rate = (progress.examplesSeen() - examplesAtLastPublish) / seconds;
        progress = new TrainerProgress(progress.examplesSeen(), progress.skippedAnomalies(), version, foldedSteps, 0, 0,
                progress.batches());
        Snapshot published = ModelSnapshots.snapshot(settings, name, model.state(settings.snapshotWithOptimiser()),
                version, progress.examplesSeen(), calibrator, now);
        Calibration calibration = calibrator.calibration();
        Double threshold = calibration == null ? null : calibration.threshold(settings.falseAlarmRate());
        long judged = calibrator.judged() - judgedAtLastPublish;
        Double alertRate = judged == 0 ? null : (double) (calibrator.flagged() - flaggedAtLastPublish) / judged;
        Double contamination = calibration == null ? null : calibration.contamination();
        TrainingMetrics record = new TrainingMetrics(name, version, meanLoss, settings.metric().id(),
                threshold, settings.falseAlarmRate(), alertRate, contamination,
                calibration == null ? 0 : calibration.windowCount(), published.alerting(), progress.examplesSeen(),
                foldedSteps, progress.skippedAnomalies(), rate, now, settings.driftPolicy().id(),
                calibrator.driftPhase().name(), calibrator.driftStatistic(), calibrator.held(progress.batches()),
                calibrator.confirmedNormal(), calibrator.confirmedAnomalies(), precision());
        byte[] bytes = ModelSnapshots.encodePublished(settings, published);
        ModelHistory.Kept kept = history.keep(version, now, settings.models());
        history = kept.history();
        // The checkpoint moves with the published version, so a replay never publishes a version twice.
        checkpoint();
        task.context().forward(new Record<>(name, TrainerTopology.Published.model(bytes, record), now));
        if (kept.added()) {
            task.context().forward(new Record<>(ModelHistory.key(name, version), TrainerTopology.Published.history(bytes), now));
        }
        for (long dropped : kept.dropped()) {
            task.context().forward(new Record<>(ModelHistory.key(name, dropped), TrainerTopology.Published.history(null), now));
        }
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        flaggedAtLastPublish = calibrator.flagged();
        judgedAtLastPublish = calibrator.judged();
        confirmedAnomaliesAtLastPublish = calibrator.confirmedAnomalies();
        task.metrics().published(record);
        versionSensor.record(version);
        if (threshold != null) {
            thresholdSensor.record(threshold);
            contaminationSensor.record(contamination);
        }
        if (alertRate != null) {
            alertRateSensor.record(alertRate);
        }
        driftSensor.record(record.driftStatistic());
        heldSensor.record(record.learningHeld() ? 1 : 0);
        if (record.precision() != null) {
            precisionSensor.record(record.precision());
        }
        LOG.debug("published model {} version {}: {} examples, loss {}, threshold {}, contamination {}",
                name, version, progress.examplesSeen(), meanLoss, threshold, contamination);
    }
}
