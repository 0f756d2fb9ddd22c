package dev.streamae.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

/**
 * What many models cost ({@code streamae bench --models 1,4,32}): trainer or scorer runs on
 * backlogs whose images are spread evenly over 1, 4, 32... model names (image {@code i} names
 * model {@code i mod N}), each run a fresh app on a backlog produced right before it (by this JVM,
 * before the run's clock starts), and per model count:
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

    /** The names the scorer's snapshot is published under: one per model of the largest count. */
    static List<String> scorerModels(BenchPlan plan) {
        int most = plan.modelCounts().get(plan.modelCounts().size() - 1);
        return IntStream.range(0, most).mapToObj(i -> modelName("scorer", i)).toList();
    }

    /**
     * A backlog of {@code plan.images()} for a run with {@code models} models (image {@code i}
     * names model {@code i mod models}), produced right before the run so that it is all the run's
     * app finds: an app reads {@code images} from the backlog's start to the end, and a backlog
     * produced earlier would be followed by the next one, whose images (and models) the app would
     * take in as well. (The backlogs stay on the broker: {@code images} may be a user's topic.)
     */
    private static BenchKafka.Backlog backlog(AppRuns runs, String app, int models, int run)
            throws ExecutionException, InterruptedException {
        return BenchKafka.produceBacklog(runs.admin(), runs.clientProps(), runs.plan().images(),
                "bench-" + app + "-" + run + "-" + models + "m-", i -> modelName(app, i % models));
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
     * Runs {@code part} with each model count of the plan, each run on a backlog of its own, and
     * returns its rows.
     */
    static List<Measure> run(AppRuns runs, BenchPlan.Part part) throws Exception {
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
        int run = 0;
        while (!warmUp.done()) {
            int n = counts.get(warmUp.runs() % counts.size());
            String name = warmUp.nextRunName(0);
            BenchKafka.Backlog backlog = backlog(runs, app, n, ++run);
            warmUp.start();
            Result r = once(runs, part, n, backlog);
            runs.progress(String.format(Locale.ROOT, "%s %s, %s: %s, JIT compiling %.0f%% of the run", app, name, models(n),
                    r.run().summary(), 100 * warmUp.finish()));
        }
        for (int round = 1; round <= plan.repeats(); round++) {
            for (int n : roundOrder(counts, round)) {
                Result r = once(runs, part, n, backlog(runs, app, n, ++run));
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
