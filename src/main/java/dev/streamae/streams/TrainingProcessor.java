package dev.streamae.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds every training example into its model exactly once, and publishes snapshots: the
 * Kafka-facing shell of one trainer task. The record key names the model; each model's training
 * state is a {@link ModelLane}, whose Javadoc says how it stays exact across crashes. This class
 * owns what a task's models share: the stores, the step thread, the punctuator, and which models
 * the task holds in memory.
 *
 * <p>Models are loaded on their first example (and at the task's start, those with logged
 * examples to replay) and evicted after {@code models.idle.evict.ms} without one, checkpointed
 * first, so memory holds the models that are in use.
 *
 * <p>{@code models.max}: a model is admitted on its first example when the models known to the
 * deployment (those admitted by this task, kept in its logged state, and those any task has
 * published, read from {@code training-metrics} into a global store) are fewer than the maximum;
 * the default model and the fallback model are always admitted. An example of a model that is not
 * admitted fails with {@link ModelLimitException}, which the processing exception handler writes to
 * the dead-letter queue with the reason. Two tasks admitting their first examples of new models
 * before either publishes can each see the other's model late, so the bound can be passed by one
 * model per training task at that moment; never by more.
 *
 * <p>Optimiser steps run on a thread of the task's own ({@link StepThread#OWN}), shared by its
 * models; each model keeps at most {@link ModelLane#MAX_IN_FLIGHT} steps in flight.
 */
final class TrainingProcessor implements Processor<String, byte[], String, TrainerTopology.Published> {

    static final String PENDING_STORE = "trainer-pending";
    static final String STATE_STORE = "trainer-state";
    /** Global store of the model names in {@code training-metrics}: models any trainer task published. */
    static final String KNOWN_MODELS_STORE = "trainer-known-models";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);

    /** Where optimiser steps run: a thread of the task's own, or the stream thread (deterministic tests). */
    enum StepThread { OWN, CALLER }

    private final StreamAeSettings settings;
    private final ModelFactory factory;
    private final TrainerMetrics metrics;
    private final StepThread stepThread;
    private ExecutorService stepExecutor;
    private ProcessorContext<String, TrainerTopology.Published> context;
    private KeyValueStore<String, byte[]> stateStore;
    private KeyValueStore<String, byte[]> knownModels;
    private ModelLane.Task task;
    /** The models in memory, by name. */
    private final Map<String, ModelLane> lanes = new LinkedHashMap<>();
    /** Models this task admitted (persisted as {@link StateKeys#ADMITTED} keys). */
    private final Set<String> admitted = new TreeSet<>();
    private TaskSensors sensors;
    private Sensor badRecordsSensor;
    private Sensor residentSensor;

    TrainingProcessor(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics, StepThread stepThread) {
        this.settings = settings;
        this.factory = factory;
        this.metrics = metrics;
        this.stepThread = stepThread;
    }

    @Override
    public void init(ProcessorContext<String, TrainerTopology.Published> context) {
        this.context = context;
        this.stateStore = context.getStateStore(STATE_STORE);
        this.knownModels = context.getStateStore(KNOWN_MODELS_STORE);
        // Kafka Streams may initialise a processor again after closing it (a corrupted task).
        lanes.clear();
        admitted.clear();
        sensors = new TaskSensors(context, TaskSensors.TRAINER_GROUP);
        badRecordsSensor = sensors.gauge("bad-records-total", "Bad records this trainer process skipped");
        residentSensor = sensors.gauge("models-resident", "Models this task holds in memory");
        if (stepThread == StepThread.OWN) {
            String name = "streamae-train-" + context.taskId();
            stepExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        task = new ModelLane.Task(settings, factory, metrics, context, stateStore,
                new PendingRing(context.getStateStore(PENDING_STORE)), stepExecutor);
        // An older trainer's one model, under bare keys, is the default model's: moved once, here.
        StateKeys.migrate(stateStore, settings.modelName());
        task.pending().migrate(settings.modelName(), ModelLane.ringSlots(settings));
        try (KeyValueIterator<String, byte[]> it = stateStore.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                if (StateKeys.ADMITTED.equals(StateKeys.partOf(key)) && StateKeys.modelOf(key) != null) {
                    admitted.add(StateKeys.modelOf(key));
                }
            }
        }
        // Models with logged examples their checkpoint may not cover are trained on them now, not
        // when their next example comes, which may be never.
        for (String model : task.pending().models()) {
            lane(model);
        }
        residentSensor.record(lanes.size());
        Duration tick = min(settings.partialBatchAfter(), settings.publishInterval()).dividedBy(2);
        context.schedule(tick.isZero() ? Duration.ofMillis(1) : tick, PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String model = record.key();
        // Our own encoding of a validated image (see TrainerTopology); decoded before it is logged,
        // so a corrupt record fails here, goes to the processing exception handler and is never replayed.
        TrainingExample example = TrainingExample.decode(record.value());
        if (model == null) {
            throw new IllegalArgumentException("a training record without a model name (key)");
        }
        admit(model);
        lane(model).add(record.value(), example);
    }

    /** Admits {@code model} to this task, or throws {@link ModelLimitException} when models.max is reached. */
    private void admit(String model) {
        if (admitted.contains(model)) {
            return;
        }
        ModelRouting routing = settings.models();
        boolean reserved = model.equals(routing.defaultModel()) || model.equals(routing.fallback());
        if (!reserved) {
            Set<String> known = knownModels();
            if (!known.contains(model) && known.size() >= routing.max()) {
                throw new ModelLimitException("model '" + model + "' is beyond models.max=" + routing.max() + ": "
                        + known.size() + " models are known (" + preview(known) + "); raise models.max or list the "
                        + "models to keep in models.allowed");
            }
        }
        stateStore.put(StateKeys.key(model, StateKeys.ADMITTED), new byte[] {1});
        admitted.add(model);
        LOG.info("trainer task {} admits model {} ({} admitted by this task)", context.taskId(), model, admitted.size());
    }

    private Set<String> knownModels() {
        Set<String> known = new TreeSet<>(admitted);
        ModelRouting routing = settings.models();
        known.add(routing.defaultModel());
        if (routing.hasFallback()) {
            known.add(routing.fallback());
        }
        try (KeyValueIterator<String, byte[]> it = knownModels.all()) {
            while (it.hasNext()) {
                known.add(it.next().key);
            }
        }
        return known;
    }

    private static String preview(Set<String> names) {
        List<String> first = new ArrayList<>(names).subList(0, Math.min(5, names.size()));
        return String.join(", ", first) + (names.size() > first.size() ? ", ..." : "");
    }

    private ModelLane lane(String model) {
        ModelLane lane = lanes.get(model);
        if (lane == null) {
            lane = new ModelLane(model, task);
            lanes.put(model, lane);
            residentSensor.record(lanes.size());
        }
        return lane;
    }

    /** Wall-clock tick: train stale partial batches, publish what is due, evict idle models. Never throws. */
    private void onTick(long now) {
        badRecordsSensor.record(metrics.badRecords());
        long idleFor = settings.models().idleEviction().toMillis();
        List<String> idle = new ArrayList<>();
        for (ModelLane lane : lanes.values()) {
            try {
                lane.tick(now);
                if (lane.idle(now, idleFor)) {
                    idle.add(lane.name());
                }
            } catch (RuntimeException e) {
                // A punctuator has no record to blame: the examples stay logged and are retried.
                LOG.error("trainer tick of model {} failed; its pending examples stay logged and are retried", lane.name(), e);
            }
        }
        for (String model : idle) {
            try {
                lanes.get(model).evict(now);
                lanes.remove(model);
                LOG.info("trainer task {} evicted idle model {} ({} in memory)", context.taskId(), model, lanes.size());
            } catch (RuntimeException e) {
                LOG.error("evicting model {} failed; it stays in memory", model, e);
            }
        }
        residentSensor.record(lanes.size());
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
        lanes.values().forEach(ModelLane::close);
        lanes.clear();
        if (sensors != null) {
            sensors.close();
        }
    }
}
