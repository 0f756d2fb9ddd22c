package dev.streamae.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@code streamae bench} invocation measures and how.
 *
 * @param parts which parts to run
 * @param repeats runs of each measurement; the table shows their median
 * @param warmupRuns the most runs before those, not counted, so that the JIT compiler has done its
 *     work: the trainer and scorer stop warming up earlier once it has ({@link WarmUp}); if positive,
 *     the offline engines and each PyTorch process also make a warm-up epoch
 * @param epochs offline training epochs (DL4J and PyTorch alike)
 * @param images backlog size for the end-to-end runs, a multiple of the training batch
 * @param latencyRate the fixed rate of the first latency measurement, images/s
 * @param latencySeconds how long each latency window measures (after its warm-up)
 * @param warmupSeconds images sent in this first part of a latency window are not counted
 * @param torchPythons python executables to try for the PyTorch reference; empty: skip it
 * @param torchThreads PyTorch thread counts to run, a process each; the best in each measurement is the reference
 * @param forkChildren run trainer and scorer each in a child JVM (per-app memory figures)
 * @param childHeap {@code -Xmx} of the child JVMs
 * @param config StreamAE and Kafka settings for both apps (bootstrap.servers: use that broker)
 * @param workDir scratch space (state directories, extracted files, child logs)
 * @param quick a smoke run: one offline inference pass instead of the reference's five
 * @param modelCounts empty for the standard bench; else the many-models comparison ({@link ModelsBench}):
 *     trainer and scorer runs with each of these numbers of models, ascending, instead of the
 *     standard measurements
 */
public record BenchPlan(Set<Part> parts, int repeats, int warmupRuns, int epochs, int images, int latencyRate, int latencySeconds,
                        int warmupSeconds, List<String> torchPythons, List<Integer> torchThreads, boolean forkChildren,
                        String childHeap, Map<String, String> config, Path workDir,
                        boolean quick, List<Integer> modelCounts) {

    /** The parts of a run; trainer and scorer are what a child JVM runs. */
    public enum Part { OFFLINE, TRAINER, SCORER }

    public BenchPlan {
        parts = parts.isEmpty() ? EnumSet.noneOf(Part.class) : EnumSet.copyOf(parts);
        torchPythons = List.copyOf(torchPythons);
        torchThreads = List.copyOf(torchThreads);
        config = Map.copyOf(config);
        modelCounts = List.copyOf(modelCounts);
        require(!parts.isEmpty(), "nothing to run");
        require(modelCounts.isEmpty() || modelCounts.size() >= 2, "--models needs at least two model counts to compare");
        for (int i = 0; i < modelCounts.size(); i++) {
            require(modelCounts.get(i) >= 1, "--models: model counts must be positive");
            require(i == 0 || modelCounts.get(i) > modelCounts.get(i - 1), "--models: model counts must ascend, each once");
        }
        require(modelCounts.isEmpty() || !parts.contains(Part.OFFLINE),
                "--models compares the trainer and the scorer: --only may name only them");
        require(repeats >= 1, "--repeats must be at least 1");
        require(warmupRuns >= 0, "--warmup-runs must not be negative");
        require(epochs >= 1, "--epochs must be at least 1");
        require(images >= 64, "--images must be at least 64");
        require(latencyRate >= 1, "--latency-rate must be positive");
        require(latencySeconds >= 1 && warmupSeconds >= 0, "latency windows need at least 1 s");
        require(torchThreads.stream().allMatch(t -> t >= 1), "PyTorch threads must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Passes over the 10,000 MNIST digits for the batch-inference figures (the reference makes five). */
    public int inferencePasses() {
        return quick ? 1 : 5;
    }

    /** The same plan with other settings for the apps. */
    public BenchPlan withConfig(Map<String, String> newConfig) {
        return new BenchPlan(parts, repeats, warmupRuns, epochs, images, latencyRate, latencySeconds, warmupSeconds, torchPythons,
                torchThreads, forkChildren, childHeap, newConfig, workDir, quick, modelCounts);
    }

    /** Whether this is the many-models comparison rather than the standard bench. */
    public boolean comparesModels() {
        return !modelCounts.isEmpty();
    }

    /**
     * What a run's backlog size must be a multiple of: whole training batches of every model, in
     * every model count (images are spread evenly over the models), so that no model's last batch
     * waits {@code train.partial.batch.ms} inside a timed run.
     */
    public static int backlogMultiple(int batch, List<Integer> modelCounts) {
        long models = 1;
        for (int count : modelCounts) {
            models = models / gcd(models, count) * count;
        }
        return Math.toIntExact(batch * models);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    public boolean has(Part part) {
        return parts.contains(part);
    }

    public boolean torch() {
        return !torchPythons.isEmpty() && !torchThreads.isEmpty();
    }

    /** The options as shown in the table and stored in the JSON file. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("parts", parts.toString().toLowerCase(java.util.Locale.ROOT));
        m.put("repeats", Integer.toString(repeats));
        m.put("warmup.runs", Integer.toString(warmupRuns));
        m.put("epochs", Integer.toString(epochs));
        m.put("inference.passes", Integer.toString(inferencePasses()));
        m.put("images", Integer.toString(images));
        m.put("latency.rate", Integer.toString(latencyRate));
        m.put("latency.seconds", Integer.toString(latencySeconds));
        m.put("torch.threads", torch() ? torchThreads.toString() : "skipped");
        m.put("jvm", forkChildren ? "trainer and scorer in child JVMs, -Xmx" + childHeap : "one JVM");
        if (comparesModels()) {
            m.put("models", modelCounts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        }
        config.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers") && !k.equals("state.dir")) {
                m.put(k, v);
            }
        });
        return m;
    }
}
