package dev.streamae.streams;

import dev.streamae.model.AlertCalibrator;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Calibration;
import dev.streamae.model.DriftEvent;
import dev.streamae.model.ExampleOrigin;
import dev.streamae.model.Snapshot;
import dev.streamae.model.TrainStep;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * the alerting state ({@link AlertCalibrator}: recent errors and calibrations) and the counters form
 * a checkpoint in the logged {@link #STATE_STORE};
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
 * per example. The ring is kept just larger than what a checkpoint can leave uncovered: every slot
 * is a changelog record per commit once examples arrive faster than the ring turns, so its size,
 * not the input rate, bounds the volume a commit writes (54 batches: 3,456 records of ~0.8 kB).
 *
 * <p>Why not checkpoint after every step: encoding the model and Adam's state (~2.6 MB) costs
 * about as much as a training step. A checkpoint is taken every {@link #CHECKPOINT_EVERY_STEPS}
 * steps and with every published snapshot (so a replay never re-publishes a version), which
 * bounds the replay to a few hundred milliseconds of training.
 *
 * <p>Optimiser steps run on a thread of the task's own ({@link StepThread#OWN}): while the model
 * learns one mini-batch, the stream thread reads, validates and logs the next, so the two halves of
 * the work overlap on two cores. The stream thread alone touches stores, counters and the context:
 * it hands a batch over, and folds the step's outcome in (window, counters, checkpoint, publish)
 * once the step is done, at the latest when the next batch is full, and always before a checkpoint
 * reads the model. A step still in flight at a commit is covered like any pending example: its
 * examples are logged and lie after the checkpoint's sequence number.
 *
 * <p>Each example's error before the step that learns it (its prequential error) enters the
 * calibrator's window, from which it fits the calibration published with the model; images whose
 * error the calibration flags are not learnt ({@code train.skip.anomalies}), in the same pass that
 * learns the others, so skipping keeps two steps in flight. Each batch is judged by a calibration
 * chosen by batch number (see {@link AlertCalibrator}), so that a replay skips what the first run
 * skipped. A wall-clock punctuator
 * trains a partial mini-batch whose oldest example has waited too long, so a quiet stream does
 * not leave examples unlearnt, and publishes after {@code publish.interval.ms}.
 */
final class TrainingProcessor implements Processor<String, byte[], String, TrainerTopology.Published> {

    static final String PENDING_STORE = "trainer-pending";
    static final String STATE_STORE = "trainer-state";
    /** Optimiser steps between checkpoints: the most a restart has to replay. */
    static final int CHECKPOINT_EVERY_STEPS = 50;
    private static final String MODEL_KEY = "model";
    private static final String CALIBRATOR_KEY = "alert-calibrator";
    /**
     * Steps handed to the step thread and not folded in yet, at most: the step thread starts the next
     * mini-batch the moment it ends one, instead of idling while the stream thread wakes up, folds
     * the outcome in and hands the next one over.
     */
    static final int MAX_IN_FLIGHT = 2;
    private static final String PROGRESS_KEY = "progress";
    private static final String SEQ_KEY = "replay-from-seq";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);

    /** Where optimiser steps run: a thread of the task's own, or the stream thread (deterministic tests). */
    enum StepThread { OWN, CALLER }

    /**
     * A step handed to the step thread: its batch number, the examples it covers (put back if it
     * fails) and where each came from.
     */
    private record InFlight(long batch, List<KeyValue<Long, TrainingExample>> examples, ExampleOrigin[] origins,
                            CompletableFuture<TrainStep> outcome) {
    }

    private final StreamAeSettings settings;
    private final ModelFactory factory;
    private final TrainerMetrics metrics;
    private final StepThread stepThread;
    private ExecutorService stepExecutor;
    /** Steps handed to the step thread and not folded in yet, oldest first; at most {@link #MAX_IN_FLIGHT}. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Set on the step thread by a failed step, so that the steps queued behind it leave the model alone. */
    private final AtomicBoolean stepFailed = new AtomicBoolean();
    /** Optimiser steps folded in: the model's own count is the step thread's while steps are in flight. */
    private long foldedSteps;

    private ProcessorContext<String, TrainerTopology.Published> context;
    private KeyValueStore<Long, byte[]> pendingStore;
    private KeyValueStore<String, byte[]> stateStore;
    private Autoencoder model;
    private AlertCalibrator calibrator;
    private TrainerProgress progress;
    /** Batches handed to the step thread: the number of the next one. */
    private long nextBatch;
    /**
     * Slots of the pending ring. A checkpoint is due once 50 batches are learnt past the last one,
     * and at that moment at most one more batch is in flight and one pending, so no example the
     * checkpoint does not cover is overwritten; two more batches spare the ring from a retried step.
     */
    private final int ringSlots;
    /** Sequence number of the first example the last checkpoint does not cover. */
    private long checkpointSeq;
    /** Sequence number after the last example trained (or skipped). */
    private long trainedUpTo;
    /** Logged examples waiting for a full mini-batch. */
    private final List<KeyValue<Long, TrainingExample>> pending = new ArrayList<>();
    /** Drift events folded in and not forwarded yet: sent, after a checkpoint that covers them, at the next chance. */
    private final List<ModelEvent> unsent = new ArrayList<>();
    private long stepsAtCheckpoint;
    private long nextSeq;
    private long oldestPendingAt;
    private long lastPublishAt;
    private long examplesAtLastPublish;
    private long skippedAtLastPublish;
    private long flaggedAtLastPublish;
    private long judgedAtLastPublish;
    private long confirmedAnomaliesAtLastPublish;
    private TaskSensors sensors;
    private Sensor trainedSensor;
    private Sensor skippedSensor;
    private Sensor lossSensor;
    private Sensor thresholdSensor;
    private Sensor contaminationSensor;
    private Sensor alertRateSensor;
    private Sensor versionSensor;
    private Sensor badRecordsSensor;
    private Sensor verdictsSensor;
    private Sensor driftSensor;
    private Sensor heldSensor;
    private Sensor precisionSensor;

    TrainingProcessor(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics, StepThread stepThread) {
        this.settings = settings;
        this.factory = factory;
        this.metrics = metrics;
        this.stepThread = stepThread;
        this.ringSlots = (CHECKPOINT_EVERY_STEPS + 4) * settings.batchSize();
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

    @Override
    public void init(ProcessorContext<String, TrainerTopology.Published> context) {
        this.context = context;
        this.pendingStore = context.getStateStore(PENDING_STORE);
        this.stateStore = context.getStateStore(STATE_STORE);
        createSensors();
        if (stepThread == StepThread.OWN) {
            String name = "streamae-train-" + context.taskId();
            stepExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        this.model = factory.create(settings.architecture(), settings.metric());
        byte[] saved = stateStore.get(MODEL_KEY);
        if (saved != null) {
            model.restore(ModelSnapshots.decodeCheckpoint(saved, settings).toModelState());
        }
        stepsAtCheckpoint = model.steps();
        foldedSteps = model.steps();
        byte[] savedCalibrator = stateStore.get(CALIBRATOR_KEY);
        calibrator = savedCalibrator != null ? AlertCalibrator.fromBytes(savedCalibrator, calibratorSettings())
                : new AlertCalibrator(calibratorSettings());
        byte[] savedProgress = stateStore.get(PROGRESS_KEY);
        progress = savedProgress != null ? TrainerProgress.fromBytes(savedProgress) : TrainerProgress.START;
        nextBatch = progress.batches();
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
            pending.add(KeyValue.pair(kv.key, TrainingExample.decode(kv.value)));
            if (pending.size() >= settings.batchSize()) {
                startStep();  // replay: logged examples the checkpoint does not cover yet
                finishStep();
            }
        }
        long now = context.currentSystemTimeMs();
        oldestPendingAt = now;
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        flaggedAtLastPublish = calibrator.flagged();
        judgedAtLastPublish = calibrator.judged();
        confirmedAnomaliesAtLastPublish = calibrator.confirmedAnomalies();
        metrics.restored(progress.examplesSeen(), progress.modelVersion());
        Double restoredPrecision = precision();
        if (restoredPrecision != null) {
            precisionSensor.record(restoredPrecision);
        }
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
        thresholdSensor = sensors.gauge("anomaly-threshold", "Anomaly threshold of the last published model at the "
                + "configured false-alarm rate");
        contaminationSensor = sensors.gauge("contamination-estimate", "Estimated fraction of anomalies among the "
                + "recent training images, at the last publish");
        alertRateSensor = sensors.gauge("alert-rate", "Fraction of the training images since the previous publish "
                + "that the calibration flagged (the target is alert.false.alarm.rate plus the contamination)");
        versionSensor = sensors.gauge("model-version", "Version of the last published model");
        badRecordsSensor = sensors.gauge("bad-records-total", "Bad records this trainer process skipped");
        verdictsSensor = sensors.counter("feedback-verdicts", "operators' verdicts applied by this task");
        driftSensor = sensors.gauge("drift-statistic", "The drift detector's change statistic at the last publish "
                + "(a change is suspected at 100 and confirmed at 250)");
        heldSensor = sensors.gauge("learning-held", "1 while learning from the stream is held (drift.policy=hold), else 0");
        precisionSensor = sensors.gauge("feedback-precision", "Confirmed anomalies over all operators' verdicts so far "
                + "(NaN before the first verdict)");
        precisionSensor.record(Double.NaN);  // a gauge starts at 0, which would read as "every alert false"
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
        TrainingExample example = TrainingExample.decode(logged);
        pendingStore.put(seq % ringSlots, ByteBuffer.allocate(Long.BYTES + logged.length).putLong(seq).put(logged).array());
        if (pending.isEmpty()) {
            oldestPendingAt = context.currentSystemTimeMs();
        }
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
        maybePublish(context.currentSystemTimeMs(), false);
    }

    /** Wall-clock tick: train a stale partial batch, publish if due. Never throws (it has no record to blame). */
    private void onTick(long now) {
        badRecordsSensor.record(metrics.badRecords());
        try {
            finishSteps();
            if (!pending.isEmpty() && now - oldestPendingAt >= settings.partialBatchAfter().toMillis()) {
                startStep();
                finishSteps();
            }
            maybePublish(now, true);
            sendEvents();
        } catch (RuntimeException e) {
            LOG.error("trainer tick failed; the pending examples stay logged and are retried", e);
        }
    }

    @Override
    public void close() {
        // A step in flight is let finish but not folded in: its examples are logged after the
        // checkpoint and are learnt again by whoever restores this task.
        if (stepExecutor != null) {
            stepExecutor.shutdown();
            try {
                if (!stepExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("trainer task {}: an optimiser step did not end within 30 s of close", context.taskId());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        inFlight.clear();
        if (sensors != null) {
            sensors.close();
        }
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
        java.util.function.Supplier<TrainStep> step = () -> {
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
        CompletableFuture<TrainStep> outcome = stepExecutor == null
                ? completedOrFailed(step) : CompletableFuture.supplyAsync(step, stepExecutor);
        inFlight.add(new InFlight(batch, examples, origins, outcome));
    }

    private static CompletableFuture<TrainStep> completedOrFailed(java.util.function.Supplier<TrainStep> step) {
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
            throw new IllegalStateException("optimiser step on " + done.examples().size() + " examples failed", e.getCause());
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
            metrics.stepped(step.learnt(), step.loss());
            trainedSensor.record(step.learnt());
            lossSensor.record(step.loss());
        }
        trainedUpTo = done.examples().get(done.examples().size() - 1).key + 1;
        progress = new TrainerProgress(progress.examplesSeen() + step.learnt(), progress.skippedAnomalies() + skipped,
                progress.modelVersion(), progress.stepsAtPublish(), lossSum, lossSteps, done.batch() + 1);
        AlertCalibrator.Folded folded = calibrator.fold(done.batch(), errors, progress.examplesSeen());
        for (DriftEvent event : folded.events()) {
            unsent.add(new ModelEvent(settings.modelName(), progress.modelVersion(), event.type().name(),
                    settings.driftPolicy().id(), event.imagesJudged(), event.changeAt(), event.statistic(),
                    event.threshold(), progress.examplesSeen(), context.currentSystemTimeMs()));
            LOG.info("model {} version {}: {} at image {} (change placed at {}), statistic {}", settings.modelName(),
                    progress.modelVersion(), event.type(), event.imagesJudged(), event.changeAt(), event.statistic());
        }
        if (skipped > 0) {
            metrics.skipped(skipped);
            skippedSensor.record(skipped);
        }
        if (errors.confirmedAnomalies() + feedbackLearnt > 0) {
            metrics.verdicts(feedbackLearnt, errors.confirmedAnomalies());
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
            publish(context.currentSystemTimeMs());
        } else {
            checkpoint();
        }
        // Either folded whatever was in flight, which may have added events: the caller sends those next.
        for (ModelEvent event : sending) {
            context.forward(new Record<>(settings.modelName(), TrainerTopology.Published.event(event), event.timestamp()));
            metrics.event(event);
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
        stateStore.put(MODEL_KEY, ModelSnapshots.encodeCheckpoint(ModelSnapshots.snapshot(settings, settings.modelName(), model.state(true),
                progress.modelVersion(), progress.examplesSeen(), calibrator, context.currentSystemTimeMs())));
        stateStore.put(CALIBRATOR_KEY, calibrator.toBytes());
        stateStore.put(PROGRESS_KEY, progress.toBytes());
        checkpointSeq = trainedUpTo;
        stateStore.put(SEQ_KEY, ByteBuffer.allocate(Long.BYTES).putLong(checkpointSeq).array());
        stepsAtCheckpoint = foldedSteps;
    }

    /** Confirmed anomalies over all verdicts so far, or null before the first verdict. */
    private Double precision() {
        long verdicts = calibrator.confirmedNormal() + calibrator.confirmedAnomalies();
        return verdicts == 0 ? null : (double) calibrator.confirmedAnomalies() / verdicts;
    }

    private void maybePublish(long now, boolean onTick) {
        boolean bySteps = foldedSteps - progress.stepsAtPublish() >= settings.publishEverySteps();
        // Skipped images and verdicts on anomalies change no weight, but what the metrics report.
        boolean changed = foldedSteps > progress.stepsAtPublish() || progress.skippedAnomalies() > skippedAtLastPublish
                || calibrator.confirmedAnomalies() > confirmedAnomaliesAtLastPublish;
        boolean byTime = onTick && changed && now - lastPublishAt >= settings.publishInterval().toMillis();
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
        Snapshot published = ModelSnapshots.snapshot(settings, settings.modelName(), model.state(settings.snapshotWithOptimiser()), version,
                progress.examplesSeen(), calibrator, now);
        Calibration calibration = calibrator.calibration();
        Double threshold = calibration == null ? null : calibration.threshold(settings.falseAlarmRate());
        long judged = calibrator.judged() - judgedAtLastPublish;
        Double alertRate = judged == 0 ? null : (double) (calibrator.flagged() - flaggedAtLastPublish) / judged;
        Double contamination = calibration == null ? null : calibration.contamination();
        TrainingMetrics record = new TrainingMetrics(settings.modelName(), version, meanLoss, settings.metric().id(),
                threshold, settings.falseAlarmRate(), alertRate, contamination,
                calibration == null ? 0 : calibration.windowCount(), published.alerting(), progress.examplesSeen(),
                foldedSteps, progress.skippedAnomalies(), rate, now, settings.driftPolicy().id(),
                calibrator.driftPhase().name(), calibrator.driftStatistic(), calibrator.held(progress.batches()),
                calibrator.confirmedNormal(), calibrator.confirmedAnomalies(), precision());
        // The checkpoint moves with the published version, so a replay never publishes a version twice.
        checkpoint();
        context.forward(new Record<>(settings.modelName(),
                TrainerTopology.Published.model(ModelSnapshots.encodePublished(settings, published), record), now));
        lastPublishAt = now;
        examplesAtLastPublish = progress.examplesSeen();
        skippedAtLastPublish = progress.skippedAnomalies();
        flaggedAtLastPublish = calibrator.flagged();
        judgedAtLastPublish = calibrator.judged();
        confirmedAnomaliesAtLastPublish = calibrator.confirmedAnomalies();
        metrics.published(record);
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
                settings.modelName(), version, progress.examplesSeen(), meanLoss, threshold, contamination);
    }
}
