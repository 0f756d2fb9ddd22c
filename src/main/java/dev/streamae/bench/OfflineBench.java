package dev.streamae.bench;

import dev.streamae.image.Datasets;
import dev.streamae.model.Dl4jAutoencoder;
import dev.streamae.model.Evaluation;
import dev.streamae.model.OfflineTrainer;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.StreamAeSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Offline training and batch inference of the seed network: DL4J in this JVM and the PyTorch
 * reference as a subprocess, alternated run by run so that a busy machine slows both alike. Same
 * protocol for both: the 8,000-image training split in a fresh seeded order each epoch, batch 64,
 * Adam lr 0.005, the time of the training passes only; then five forward passes over all 10,000
 * MNIST digits (one in a quick run; PyTorch always makes five).
 */
final class OfflineBench {

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    record Outcome(List<Measure> measures, Snapshot model) {
    }

    private OfflineBench() {
    }

    /**
     * @param torch the reference, or null to skip it
     * @param modelName name of the snapshot of the last DL4J model (the scorer's model)
     */
    static Outcome run(BenchPlan plan, StreamAeSettings settings, TorchReference torch, String modelName,
                       Consumer<String> progress) {
        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        float[][] all = Datasets.mnist().pixelRows();
        List<Double> dl4jTrain = new ArrayList<>();
        List<Double> dl4jTrainCpu = new ArrayList<>();
        List<Double> dl4jInfer = new ArrayList<>();
        Map<Integer, List<Double>> torchTrain = new LinkedHashMap<>();
        Map<Integer, List<Double>> torchInfer = new LinkedHashMap<>();
        List<Double> bestTrain = new ArrayList<>();
        List<Double> bestInfer = new ArrayList<>();
        Dl4jAutoencoder model = null;
        if (plan.warmupRuns() > 0) {
            // One epoch and one inference pass, not counted: the JIT compiler's work is not the model's speed.
            Dl4jAutoencoder warm = new Dl4jAutoencoder(settings.architecture(), settings.metric(), settings.learningRate(),
                    settings.seed());
            new OfflineTrainer(warm, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                    .train(train, new float[0][], 1, new OfflineTrainer.Listener() { });
            Evaluation.scoreAll(warm, all);
        }
        for (int r = 1; r <= plan.repeats(); r++) {
            if (torch != null) {
                double train1 = 0;
                double infer1 = 0;
                for (int threads : plan.torchThreads()) {
                    TorchReference.Result t = torch.run(plan.epochs(), threads, settings.seed(), Duration.ofMinutes(10));
                    torchTrain.computeIfAbsent(threads, k -> new ArrayList<>()).add(t.trainImagesPerSecond());
                    torchInfer.computeIfAbsent(threads, k -> new ArrayList<>()).add(t.inferImagesPerSecond());
                    train1 = Math.max(train1, t.trainImagesPerSecond());
                    infer1 = Math.max(infer1, t.inferImagesPerSecond());
                    progress.accept(String.format(Locale.ROOT, "offline run %d: PyTorch, %d thread(s): %,.0f img/s training, "
                            + "%,.0f img/s inference", r, threads, t.trainImagesPerSecond(), t.inferImagesPerSecond()));
                }
                bestTrain.add(train1);
                bestInfer.add(infer1);
            }
            model = new Dl4jAutoencoder(settings.architecture(), settings.metric(), settings.learningRate(), settings.seed());
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            OfflineTrainer.Result result = new OfflineTrainer(model, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                    .train(train, new float[0][], plan.epochs(), new OfflineTrainer.Listener() { });
            dl4jTrain.add(result.trainImagesPerSecond());
            // With OMP_NUM_THREADS=1 ND4J computes on the calling thread: its CPU time is the model's.
            dl4jTrainCpu.add(ProcessCpu.microsPerImage(cpu0, THREADS.getCurrentThreadCpuTime(), (long) plan.epochs() * train.length));
            long start = System.nanoTime();
            for (int pass = 0; pass < plan.inferencePasses(); pass++) {
                Evaluation.scoreAll(model, all);
            }
            dl4jInfer.add((double) plan.inferencePasses() * all.length / ((System.nanoTime() - start) / 1e9));
            progress.accept(String.format(Locale.ROOT, "offline run %d: DL4J: %,.0f img/s training, %,.0f img/s inference",
                    r, dl4jTrain.get(r - 1), dl4jInfer.get(r - 1)));
        }
        String protocol = String.format(Locale.ROOT, "batch 64, %d epoch%s", plan.epochs(), plan.epochs() == 1 ? "" : "s");
        List<Measure> measures = new ArrayList<>();
        measures.add(Measure.rate(Checks.DL4J_TRAIN, "offline training, DL4J (" + protocol + ", 1 thread)", dl4jTrain));
        if (torch != null) {
            measures.add(Measure.rate(Checks.TORCH_TRAIN, "offline training, PyTorch (best of " + threads(plan) + ")", bestTrain));
        }
        measures.add(Measure.of(Checks.DL4J_TRAIN_CPU, "offline training, DL4J, CPU per image", "us",
                false, dl4jTrainCpu));
        measures.add(Measure.rate(Checks.DL4J_INFER, "batch inference, DL4J (batch 256, codes + errors)", dl4jInfer));
        if (torch != null) {
            measures.add(Measure.rate(Checks.TORCH_INFER, "batch inference, PyTorch (batch 10,000, best of " + threads(plan) + ")",
                    bestInfer));
            if (plan.torchThreads().size() > 1) {
                torchTrain.forEach((t, runs) -> measures.add(Measure.rate(Checks.TORCH_TRAIN + ".t" + t,
                        "  PyTorch training, " + t + " thread(s)", runs)));
                torchInfer.forEach((t, runs) -> measures.add(Measure.rate(Checks.TORCH_INFER + ".t" + t,
                        "  PyTorch inference, " + t + " thread(s)", runs)));
            }
        }
        Snapshot snapshot = OfflineTrainer.snapshot(model, modelName, split.heldOut().pixelRows(),
                settings.thresholdQuantile(), (long) plan.epochs() * train.length, Instant.now());
        return new Outcome(measures, snapshot);
    }

    /** A model for the scorer when the offline part is not run: one quick epoch. */
    static Snapshot quickModel(StreamAeSettings settings, String modelName) {
        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        Dl4jAutoencoder model = new Dl4jAutoencoder(settings.architecture(), settings.metric(), settings.learningRate(),
                settings.seed());
        new OfflineTrainer(model, OfflineTrainer.DEFAULT_BATCH_SIZE, settings.seed())
                .train(train, new float[0][], 1, new OfflineTrainer.Listener() { });
        return OfflineTrainer.snapshot(model, modelName, split.heldOut().pixelRows(), settings.thresholdQuantile(),
                train.length, Instant.now());
    }

    private static String threads(BenchPlan plan) {
        return plan.torchThreads().size() == 1 ? plan.torchThreads().get(0) + " thread(s)"
                : plan.torchThreads().toString().replaceAll("[\\[\\]]", "").replace(", ", "/") + " threads";
    }
}
