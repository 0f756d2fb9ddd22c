package dev.streamae.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The targets and the informative ratios, from the medians of a run. Ratios are taken
 * between figures measured in the same invocation on the same machine, so a busy machine slows
 * both sides and the ratio survives better than either figure.
 *
 * <p>The targets against PyTorch compare the trainer and the scorer with the PyTorch reference
 * measured beside their runs ({@link RunSeries}), not with the offline part's: the target is the
 * median of the run-by-run ratios (each run over the reference right before and after it), since
 * each such ratio compares figures taken under the same conditions and the machine's speed
 * drifts over a bench; the ratio of the two medians is shown beside it, and the two differing
 * much says the machine was unsteady. When PyTorch's OpenBLAS kernel was forced away from the one
 * OpenBLAS picks itself ({@link TorchSetup#kernelForced()}), those targets get no verdict: the
 * reference then is not the PyTorch a user of this machine gets, and a pass against it would claim
 * what the bench did not measure.
 */
public final class Checks {

    public static final String VECTOR_TRAIN = "offline.vector.train";
    public static final String VECTOR_TRAIN_CPU = "offline.vector.train.cpu";
    public static final String VECTOR_INFER = "offline.vector.infer";
    public static final String DL4J_TRAIN = "offline.dl4j.train";
    public static final String DL4J_TRAIN_CPU = "offline.dl4j.train.cpu";
    public static final String TORCH_TRAIN = "offline.torch.train";
    public static final String DL4J_INFER = "offline.dl4j.infer";
    public static final String TORCH_INFER = "offline.torch.infer";
    public static final String TRAINER_E2E = e2eKey("trainer");
    public static final String TRAINER_CPU = cpuKey("trainer");
    public static final String TRAINER_HEAP = "trainer.heap";
    public static final String TRAINER_RSS = "trainer.rss";
    public static final String TRAINER_TORCH = torchKey("trainer");
    public static final String TRAINER_PAIRS = pairsKey("trainer");
    public static final String SCORER_E2E = e2eKey("scorer");
    public static final String SCORER_CPU = cpuKey("scorer");
    public static final String SCORER_TORCH = torchKey("scorer");
    public static final String SCORER_PAIRS = pairsKey("scorer");
    public static final String SCORER_FIXED_P50 = "scorer.fixed.p50";
    public static final String SCORER_FIXED_P99 = "scorer.fixed.p99";
    public static final String SCORER_HIGH_RATE = "scorer.high.rate";
    public static final String SCORER_HIGH_P50 = "scorer.high.p50";
    public static final String SCORER_HIGH_P99 = "scorer.high.p99";
    public static final String SCORER_HEAP = "scorer.heap";
    public static final String SCORER_RSS = "scorer.rss";

    /** The limits. */
    public static final double TRAINER_VS_TORCH = 1.0;
    public static final double SCORER_VS_TORCH = 0.5;
    public static final double P99_LIMIT_MS = 50;
    public static final double HEAP_LIMIT_MB = 512;
    /** CPU per image with the most models over that with the fewest, at most ({@code bench --models}). */
    public static final double TRAINER_MODELS_CPU = 1.2;
    public static final double SCORER_MODELS_CPU = 1.1;

    private Checks() {
    }

    /** Key of an app's end-to-end rate, as {@link RunSeries} writes it. */
    static String e2eKey(String app) {
        return app + ".e2e";
    }

    /** Key of an app's CPU per image, as {@link RunSeries} writes it. */
    static String cpuKey(String app) {
        return app + ".cpu";
    }

    /** Key of the PyTorch reference measured beside an app's runs, as {@link RunSeries} writes it. */
    static String torchKey(String app) {
        return app + ".torch";
    }

    /** Key of an app's run-by-run ratios to the PyTorch reference beside it, as {@link RunSeries} writes it. */
    static String pairsKey(String app) {
        return app + ".torch.pairs";
    }

    /**
     * @param medians measure key to median; a missing key makes the checks that need it SKIPPED
     * @param latencyRate the fixed rate the p99 target was measured at (the is 2,000/s)
     * @param torchKernelForced whether PyTorch ran on an OpenBLAS kernel forced by the environment:
     *     the targets against it then get {@link Check.Status#NO_VERDICT}
     */
    public static List<Check> evaluate(Map<String, Double> medians, int latencyRate, boolean torchKernelForced) {
        List<Check> checks = new ArrayList<>();
        Check trainer = Check.atLeast("trainer e2e / PyTorch training, run by run", medians.get(TRAINER_PAIRS), "x",
                TRAINER_VS_TORCH);
        Check scorer = Check.atLeast("scorer e2e / PyTorch batch inference, run by run", medians.get(SCORER_PAIRS), "x",
                SCORER_VS_TORCH);
        checks.add(torchKernelForced ? trainer.withoutVerdict() : trainer);
        checks.add(Check.info("trainer e2e / PyTorch training, ratio of the medians",
                ratio(medians, TRAINER_E2E, TRAINER_TORCH), "x"));
        checks.add(torchKernelForced ? scorer.withoutVerdict() : scorer);
        checks.add(Check.info("scorer e2e / PyTorch batch inference, ratio of the medians",
                ratio(medians, SCORER_E2E, SCORER_TORCH), "x"));
        checks.add(Check.atMost(String.format("scorer p99 latency at %,d img/s", latencyRate),
                medians.get(SCORER_FIXED_P99), "ms", P99_LIMIT_MS));
        checks.add(Check.atMost("trainer heap after GC (-Xmx512m)", medians.get(TRAINER_HEAP), "MB", HEAP_LIMIT_MB));
        checks.add(Check.atMost("scorer heap after GC (-Xmx512m)", medians.get(SCORER_HEAP), "MB", HEAP_LIMIT_MB));
        checks.add(Check.info("vector engine / PyTorch offline training", ratio(medians, VECTOR_TRAIN, TORCH_TRAIN), "x"));
        checks.add(Check.info("vector engine / PyTorch batch inference", ratio(medians, VECTOR_INFER, TORCH_INFER), "x"));
        checks.add(Check.info("DL4J / PyTorch offline training", ratio(medians, DL4J_TRAIN, TORCH_TRAIN), "x"));
        checks.add(Check.info("DL4J / PyTorch batch inference", ratio(medians, DL4J_INFER, TORCH_INFER), "x"));
        checks.add(Check.info("trainer e2e / vector engine offline training", ratio(medians, TRAINER_E2E, VECTOR_TRAIN), "x"));
        checks.add(Check.info("scorer e2e / vector engine batch inference", ratio(medians, SCORER_E2E, VECTOR_INFER), "x"));
        checks.add(Check.info("trainer CPU per image / vector engine offline CPU per image",
                ratio(medians, TRAINER_CPU, VECTOR_TRAIN_CPU), "x"));
        return checks;
    }

    /**
     * The targets and figures of {@code bench --models}: per app, CPU per image with each count over
     * that with the fewest models (the most models' is the target), images/s likewise (information),
     * and the heap one more model costs: (heap with the most models - with the fewest) / (the
     * difference in models).
     *
     * @param counts the model counts, ascending
     */
    public static List<Check> models(Map<String, Double> medians, List<Integer> counts) {
        List<Check> checks = new ArrayList<>();
        int fewest = counts.get(0);
        int most = counts.get(counts.size() - 1);
        for (String app : List.of("trainer", "scorer")) {
            for (int n : counts.subList(1, counts.size())) {
                String name = String.format("%s CPU per image, %d models / %d", app, n, fewest);
                Double ratio = ratio(medians, ModelsBench.cpuKey(app, n), ModelsBench.cpuKey(app, fewest));
                checks.add(n == most ? Check.atMost(name, ratio, "x", app.equals("trainer") ? TRAINER_MODELS_CPU
                        : SCORER_MODELS_CPU) : Check.info(name, ratio, "x"));
            }
            for (int n : counts.subList(1, counts.size())) {
                checks.add(Check.info(String.format("%s e2e img/s, %d models / %d", app, n, fewest),
                        ratio(medians, ModelsBench.rateKey(app, n), ModelsBench.rateKey(app, fewest)), "x"));
            }
            Double heapMost = medians.get(ModelsBench.heapKey(app, most));
            Double heapFewest = medians.get(ModelsBench.heapKey(app, fewest));
            checks.add(Check.info(String.format("%s heap per model, (%d models - %d) / %d", app, most, fewest, most - fewest),
                    heapMost == null || heapFewest == null ? null : (heapMost - heapFewest) / (most - fewest), "MB"));
        }
        return checks;
    }

    /** {@code a / b}, or null when either is missing or b is not positive. */
    static Double ratio(Map<String, Double> medians, String a, String b) {
        Double x = medians.get(a);
        Double y = medians.get(b);
        if (x == null || y == null || !(y > 0) || x.isNaN()) {
            return null;
        }
        return x / y;
    }
}
