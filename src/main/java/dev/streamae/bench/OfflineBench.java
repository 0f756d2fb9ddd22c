package dev.streamae.bench;

import dev.streamae.image.Datasets;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Autoencoders;
import dev.streamae.model.Evaluation;
import dev.streamae.model.OfflineTrainer;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.StreamAeSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Offline training and batch inference of the seed network: the model's two engines (the vector
 * engine the service runs, and DL4J, the reference it was checked against) in this JVM and the
 * PyTorch reference (one warm process per thread count, {@link TorchRuns}), alternated run by run so
 * that a busy machine slows all alike.
 * Same protocol for each: the 8,000-image training split in a fresh seeded order each epoch,
 * batch 64, Adam lr 0.005, the time of the training passes only; then five forward passes over all
 * 10,000 MNIST digits (one in a quick run; PyTorch always makes five).
 */
final class OfflineBench {

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** @param torchSetups what PyTorch ran on, empty when it did not run */
    record Outcome(List<Measure> measures, Snapshot model, List<TorchSetup> torchSetups) {
    }

    /** One engine's keys and label in the report. */
    private record EngineKeys(Autoencoders.Engine engine, String label, String train, String trainCpu, String infer) {
    }

    private static final List<EngineKeys> ENGINES = List.of(
            new EngineKeys(Autoencoders.Engine.VECTOR, "vector engine", Checks.VECTOR_TRAIN, Checks.VECTOR_TRAIN_CPU,
                    Checks.VECTOR_INFER),
            new EngineKeys(Autoencoders.Engine.DL4J, "DL4J", Checks.DL4J_TRAIN, Checks.DL4J_TRAIN_CPU, Checks.DL4J_INFER));

    private OfflineBench() {
    }

    /**
     * @param torch the reference, or null to skip it
     * @param modelName name of the snapshot of the last model trained by the service's engine (the scorer's model)
     */
    static Outcome run(BenchPlan plan, StreamAeSettings settings, TorchReference torch, String modelName,
                       Consumer<String> progress) {
        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        float[][] all = Datasets.mnist().pixelRows();
        List<EngineKeys> engines = ENGINES.stream()
                .filter(e -> e.engine() == Autoencoders.Engine.DL4J || Autoencoders.engine() == Autoencoders.Engine.VECTOR)
                .toList();
        Map<String, List<Double>> runs = new LinkedHashMap<>();
        List<Double> bestTrain = new ArrayList<>();
        List<Double> bestInfer = new ArrayList<>();
        Autoencoder served = null;
        if (plan.warmupRuns() > 0) {
            // One epoch and one inference pass each, not counted: the JIT compiler's work is not the model's speed.
            for (EngineKeys e : engines) {
                Autoencoder warm = Autoencoders.create(e.engine(), settings.architecture(), settings.metric(),
                        settings.learningRate(), settings.seed());
                new OfflineTrainer(warm, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                        .train(train, new float[0][], 1, new OfflineTrainer.Listener() { });
                Evaluation.scoreAll(warm, all);
            }
        }
        try (TorchRuns pytorch = torch == null ? null : new TorchRuns(torch, plan, settings.seed(), 0, progress)) {
            for (int r = 1; r <= plan.repeats(); r++) {
                if (pytorch != null) {
                    bestTrain.add(pytorch.best(TorchRuns.Kind.TRAINING, "offline run " + r));
                    bestInfer.add(pytorch.best(TorchRuns.Kind.INFERENCE, "offline run " + r));
                }
                for (EngineKeys e : engines) {
                    Autoencoder model = measure(plan, settings, e, train, all, runs, r, progress);
                    if (e.engine() == Autoencoders.engine()) {
                        served = model;
                    }
                }
            }
            String protocol = String.format(Locale.ROOT, "batch 64, %d epoch%s", plan.epochs(), plan.epochs() == 1 ? "" : "s");
            List<Measure> measures = new ArrayList<>();
            for (EngineKeys e : engines) {
                measures.add(Measure.rate(e.train(), "offline training, " + e.label() + " (" + protocol + ", 1 thread)",
                        runs.get(e.train())));
            }
            if (pytorch != null) {
                measures.add(Measure.rate(Checks.TORCH_TRAIN, "offline training, PyTorch (" + pytorch.threads() + ")", bestTrain));
            }
            for (EngineKeys e : engines) {
                measures.add(Measure.of(e.trainCpu(), "offline training, " + e.label() + ", CPU per image", "us",
                        false, runs.get(e.trainCpu())));
            }
            for (EngineKeys e : engines) {
                measures.add(Measure.rate(e.infer(), "batch inference, " + e.label() + " (batch 256, codes + errors)",
                        runs.get(e.infer())));
            }
            if (pytorch != null) {
                measures.add(Measure.rate(Checks.TORCH_INFER, "batch inference, PyTorch (batch 10,000, " + pytorch.threads() + ")",
                        bestInfer));
                measures.addAll(pytorch.perThread(TorchRuns.Kind.TRAINING, Checks.TORCH_TRAIN));
                measures.addAll(pytorch.perThread(TorchRuns.Kind.INFERENCE, Checks.TORCH_INFER));
            }
            Snapshot snapshot = OfflineTrainer.snapshot(served, modelName, split.heldOut().pixelRows(),
                    settings.falseAlarmRate(), (long) plan.epochs() * train.length, Instant.now());
            return new Outcome(measures, snapshot, pytorch == null ? List.of() : pytorch.setups());
        }
    }

    /** One run of one engine: a fresh model trained, then the inference passes; returns the model. */
    private static Autoencoder measure(BenchPlan plan, StreamAeSettings settings, EngineKeys e, float[][] train,
                                       float[][] all, Map<String, List<Double>> runs, int r, Consumer<String> progress) {
        Autoencoder model = Autoencoders.create(e.engine(), settings.architecture(), settings.metric(),
                settings.learningRate(), settings.seed());
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        OfflineTrainer.Result result = new OfflineTrainer(model, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                .train(train, new float[0][], plan.epochs(), new OfflineTrainer.Listener() { });
        double trainRate = result.trainImagesPerSecond();
        runs.computeIfAbsent(e.train(), k -> new ArrayList<>()).add(trainRate);
        // Both engines compute on the calling thread (ND4J with OMP_NUM_THREADS=1): its CPU time is the model's.
        runs.computeIfAbsent(e.trainCpu(), k -> new ArrayList<>()).add(ProcessCpu.microsPerImage(cpu0,
                THREADS.getCurrentThreadCpuTime(), (long) plan.epochs() * train.length));
        long start = System.nanoTime();
        for (int pass = 0; pass < plan.inferencePasses(); pass++) {
            Evaluation.scoreAll(model, all);
        }
        double inferRate = (double) plan.inferencePasses() * all.length / ((System.nanoTime() - start) / 1e9);
        runs.computeIfAbsent(e.infer(), k -> new ArrayList<>()).add(inferRate);
        progress.accept(String.format(Locale.ROOT, "offline run %d: %s: %,.0f img/s training, %,.0f img/s inference",
                r, e.label(), trainRate, inferRate));
        return model;
    }

    /** A model for the scorer when the offline part is not run: one quick epoch. */
    static Snapshot quickModel(StreamAeSettings settings, String modelName) {
        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        Autoencoder model = Autoencoders.create(settings.architecture(), settings.metric(), settings.learningRate(),
                settings.seed());
        new OfflineTrainer(model, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                .train(train, new float[0][], 1, new OfflineTrainer.Listener() { });
        return OfflineTrainer.snapshot(model, modelName, split.heldOut().pixelRows(), settings.falseAlarmRate(),
                train.length, Instant.now());
    }
}
