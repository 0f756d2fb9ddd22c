package dev.streamae.bench;

import dev.streamae.streams.StreamAeSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;

/**
 * What many models cost ({@code streamae bench --models 1,4,32}): trainer or scorer runs on
 * backlogs whose images are spread evenly over 1, 4, 32... model names (image {@code i} names
 * model {@code i mod N}), each run a fresh app as in the standard bench, and per model count:
 * <ul>
 *   <li>images/s and CPU per image (this JVM's CPU time over the images, the same span and meter
 *       as {@link TrainerBench} and {@link ScorerBench}): the ratio of CPU per image with the most
 *       models to that with the fewest is the target ({@link Checks#models});</li>
 *   <li>heap after a full collection at the end of the run, the app still up with every model
 *       resident ({@link MemorySampler#heapAfterFullGcMb}); the difference between the most and
 *       the fewest models, over the difference in models, is the memory one model costs.</li>
 * </ul>
 *
 * <p>The model counts take turns, so that each is measured under the same drift of the shared
 * machine: warm-up runs cycle through them until the JIT compilers settle ({@link WarmUp}), then
 * each of {@code --repeats} rounds runs every count once, the order rotated round by round (a
 * count is not always the one right after the slowest); the table shows medians. CPU per image
 * is compared rather than images/s, which moves far more with other load.
 */
final class ModelsBench {

    private ModelsBench() {
    }

    /**
     * The name of {@code app}'s model {@code i} (from 0); model 0 is the app's {@code model.name}.
     * Trainer and scorer have names of their own: the trainer's snapshots must not replace the ones
     * the scorer is given.
     */
    static String modelName(String app, int i) {
        return "bench-" + app + "-" + i;
    }

    /**
     * What {@code part}'s runs need on the broker: a backlog of {@code plan.images()} per model
     * count, image {@code i} naming model {@code i mod N}, and for the scorer one snapshot (the
     * quick model, warmed up and calibrated) under each name.
     */
    static List<BenchKafka.Backlog> prepare(BenchPlan.Part part, BenchPlan plan, Map<String, Object> clientProps,
                                            StreamAeSettings settings, String idPrefix, Consumer<String> progress)
            throws ExecutionException, InterruptedException {
        String app = part.name().toLowerCase(Locale.ROOT);
        List<BenchKafka.Backlog> backlogs = new ArrayList<>();
        try (Admin admin = Admin.create(clientProps)) {
            for (int models : plan.modelCounts()) {
                progress.accept(String.format(Locale.ROOT, "producing the %s's backlog of %,d images (u8 JSON) over %s ...",
                        app, plan.images(), models(models)));
                backlogs.add(BenchKafka.produceBacklog(admin, clientProps, plan.images(), idPrefix + app + "-" + models + "m-",
                        i -> modelName(app, i % models)));
            }
        }
        if (part == BenchPlan.Part.SCORER) {
            int most = plan.modelCounts().get(plan.modelCounts().size() - 1);
            BenchKafka.publishModel(clientProps, OfflineBench.quickModel(settings, modelName(app, 0)),
                    IntStream.range(0, most).mapToObj(i -> modelName(app, i)).toList());
        }
        return backlogs;
    }

    /** Keys of an app's rows with {@code models} models. */
    static String rateKey(String app, int models) {
        return "models." + app + "." + models + ".e2e";
    }

    static String cpuKey(String app, int models) {
        return "models." + app + "." + models + ".cpu";
    }

    static String heapKey(String app, int models) {
        return "models." + app + "." + models + ".heap";
    }

    /** The counts in the order of measured round {@code round} (from 1): rotated left by {@code round - 1}. */
    static List<Integer> roundOrder(List<Integer> counts, int round) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            order.add(counts.get((i + round - 1) % counts.size()));
        }
        return order;
    }

    /** What one run measured. */
    private record Result(RunSeries.Result run, double heapMb) {
    }

    /**
     * Runs {@code part} with each model count of the plan on its backlog ({@code backlogs}, in the
     * plan's count order) and returns its rows.
     */
    static List<Measure> run(AppRuns runs, BenchPlan.Part part, List<BenchKafka.Backlog> backlogs) throws Exception {
        BenchPlan plan = runs.plan();
        List<Integer> counts = plan.modelCounts();
        String app = part.name().toLowerCase(Locale.ROOT);
        Map<Integer, List<Double>> rates = new LinkedHashMap<>();
        Map<Integer, List<Double>> cpu = new LinkedHashMap<>();
        Map<Integer, List<Double>> heap = new LinkedHashMap<>();
        counts.forEach(n -> {
            rates.put(n, new ArrayList<>());
            cpu.put(n, new ArrayList<>());
            heap.put(n, new ArrayList<>());
        });
        WarmUp warmUp = new WarmUp(plan.warmupRuns());
        while (!warmUp.done()) {
            int n = counts.get(warmUp.runs() % counts.size());
            String name = warmUp.nextRunName(0);
            warmUp.start();
            Result r = once(runs, part, n, backlogs.get(counts.indexOf(n)));
            runs.progress(String.format(Locale.ROOT, "%s %s, %s: %s, JIT compiling %.0f%% of the run", app, name, models(n),
                    r.run().summary(), 100 * warmUp.finish()));
        }
        for (int round = 1; round <= plan.repeats(); round++) {
            for (int n : roundOrder(counts, round)) {
                Result r = once(runs, part, n, backlogs.get(counts.indexOf(n)));
                rates.get(n).add(r.run().rate());
                cpu.get(n).add(r.run().cpuMicrosPerImage());
                heap.get(n).add(r.heapMb());
                runs.progress(String.format(Locale.ROOT, "%s round %d, %s: %s; heap after full GC %.0f MB", app, round,
                        models(n), r.run().summary(), r.heapMb()));
            }
        }
        String jvm = plan.forkChildren() ? "its JVM, -Xmx" + Math.round(MemorySampler.maxHeapMb()) + "m"
                : "whole JVM, broker too";
        List<Measure> measures = new ArrayList<>();
        for (int n : counts) {
            measures.add(Measure.rate(rateKey(app, n), app + " e2e, " + models(n), rates.get(n)));
        }
        for (int n : counts) {
            measures.add(Measure.of(cpuKey(app, n), app + " CPU per image, " + models(n) + " (" + jvm + ")", "us", false,
                    cpu.get(n)));
        }
        for (int n : counts) {
            measures.add(Measure.megabytes(heapKey(app, n), app + " heap after full GC, " + models(n) + " resident (" + jvm + ")",
                    heap.get(n)));
        }
        if (warmUp.maxRuns() > 0) {
            measures.add(warmUp.runsMeasure("models." + app + ".warmup.runs", app));
        }
        return measures;
    }

    private static String models(int n) {
        return n == 1 ? "1 model" : n + " models";
    }

    private static Result once(AppRuns runs, BenchPlan.Part part, int models, BenchKafka.Backlog backlog) throws Exception {
        // Room for every model of the largest count, whatever models.max is configured to.
        List<Integer> counts = runs.plan().modelCounts();
        Map<String, String> extra = Map.of("model.name", modelName(part.name().toLowerCase(Locale.ROOT), 0), "models.max",
                Integer.toString(counts.get(counts.size() - 1)));
        double[] heap = {Double.NaN};
        Runnable measureHeap = () -> heap[0] = MemorySampler.heapAfterFullGcMb();
        RunSeries.Result run = part == BenchPlan.Part.TRAINER ? TrainerBench.runOnce(runs, extra, backlog, measureHeap)
                : ScorerBench.runOnce(runs, extra, backlog, measureHeap);
        return new Result(run, heap[0]);
    }
}
