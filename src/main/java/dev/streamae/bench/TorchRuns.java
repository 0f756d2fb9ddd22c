package dev.streamae.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The PyTorch reference at each of the plan's thread counts ({@code --torch-threads}): one warm
 * process each ({@link TorchSession}), and the fastest of them in each measurement is the
 * reference, since PyTorch's best setting on the machine is what StreamAE is held to. The
 * processes start on first use: for the trainer and the scorer that is after their warm-up runs,
 * so that the reference's start and warm-up epoch do not run beside the JVM's warm-up.
 *
 * <p>Beside the trainer and the scorer each measurement lasts at least {@link #BESIDE_SECONDS}
 * (the script repeats its pass): a pass of two epochs takes about 0.4 s on the quiet 2-core
 * machine, where the runs it is compared with take 3-15 s, and so short a sample catches a burst
 * of other load whole where the run beside it averages it out (on a busy machine, passes beside
 * one trainer run gave 25,700 and 6,600 img/s). Offline, one pass each, as the engines make.
 */
final class TorchRuns implements AutoCloseable {

    /** What a measurement times. */
    enum Kind {
        TRAINING("train", "train_img_per_s", "training"),
        INFERENCE("infer", "infer_img_per_s", "inference");

        private final String command;
        private final String replyKey;
        final String label;

        Kind(String command, String replyKey, String label) {
            this.command = command;
            this.replyKey = replyKey;
            this.label = label;
        }
    }

    private static final Duration MEASURE_TIMEOUT = Duration.ofMinutes(10);
    /** The least timed work of a measurement beside the trainer's or the scorer's runs. */
    static final double BESIDE_SECONDS = 2;

    private final TorchReference reference;
    private final BenchPlan plan;
    private final long seed;
    private final double minSeconds;
    private final Consumer<String> progress;
    private final Map<Integer, TorchSession> sessions = new LinkedHashMap<>();
    private final Map<Kind, Map<Integer, List<Double>>> perThread = new EnumMap<>(Kind.class);

    /** @param minSeconds the least timed work of a measurement (0: one pass) */
    TorchRuns(TorchReference reference, BenchPlan plan, long seed, double minSeconds, Consumer<String> progress) {
        this.reference = reference;
        this.plan = plan;
        this.seed = seed;
        this.minSeconds = minSeconds;
        this.progress = progress;
    }

    /**
     * One measurement of {@code kind} at each thread count, in turn; returns the fastest.
     *
     * @param moment what the progress line says it was measured beside, e.g. "offline run 1"
     */
    double best(Kind kind, String moment) {
        double best = 0;
        List<String> rates = new ArrayList<>();
        for (int threads : plan.torchThreads()) {
            double rate = session(threads).measure(kind.command + " " + minSeconds, kind.replyKey, MEASURE_TIMEOUT);
            perThread.computeIfAbsent(kind, k -> new LinkedHashMap<>()).computeIfAbsent(threads, k -> new ArrayList<>()).add(rate);
            rates.add(String.format(Locale.ROOT, "%d thread(s) %,.0f img/s", threads, rate));
            best = Math.max(best, rate);
        }
        progress.accept(moment + ": PyTorch " + kind.label + ", " + String.join(", ", rates));
        return best;
    }

    /** {@code kind} as the reference beside {@code app}'s measured runs. */
    RunSeries.Reference beside(Kind kind, String app) {
        return new RunSeries.Reference() {
            @Override
            public double measure(String moment) {
                return best(kind, app + " " + moment);
            }

            @Override
            public String label() {
                return String.format(Locale.ROOT, "PyTorch %s beside the %s (%s; >= %.0f s before run 1, after each)",
                        kind.label, app, threads(), minSeconds);
            }

            @Override
            public List<Measure> details(String key) {
                return perThread(kind, key);
            }
        };
    }

    /** Each thread count's runs of {@code kind} as rows {@code <keyPrefix>.t<threads>}, when there are several. */
    List<Measure> perThread(Kind kind, String keyPrefix) {
        List<Measure> measures = new ArrayList<>();
        if (plan.torchThreads().size() > 1) {
            perThread.getOrDefault(kind, Map.of()).forEach((t, runs) -> measures.add(Measure.rate(keyPrefix + ".t" + t,
                    "  PyTorch " + kind.label + ", " + t + " thread(s)", runs)));
        }
        return measures;
    }

    /** "best of 1/2 threads", or "1 thread(s)". */
    String threads() {
        return plan.torchThreads().size() == 1 ? plan.torchThreads().get(0) + " thread(s)"
                : "best of " + plan.torchThreads().stream().map(String::valueOf).collect(Collectors.joining("/")) + " threads";
    }

    /** What the processes started so far ran on, each distinct setup once. */
    List<TorchSetup> setups() {
        return List.copyOf(sessions.values().stream().map(TorchSession::setup).collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    private TorchSession session(int threads) {
        TorchSession session = sessions.get(threads);
        if (session == null) {
            int warmupEpochs = plan.warmupRuns() > 0 ? 1 : 0;
            session = reference.start(threads, plan.epochs(), plan.inferencePasses(), warmupEpochs, seed);
            sessions.put(threads, session);
            progress.accept(String.format(Locale.ROOT, "PyTorch reference, %d thread(s), %s: %s", threads,
                    warmupEpochs == 0 ? "not warmed up (--warmup-runs 0)" : String.format(Locale.ROOT,
                            "warmed up (1 epoch at %,.0f img/s, 1 inference pass at %,.0f img/s, not counted)",
                            session.warmUp("warmup_train_img_per_s"), session.warmUp("warmup_infer_img_per_s")),
                    session.setup().describe()));
        }
        return session;
    }

    @Override
    public void close() {
        sessions.values().forEach(TorchSession::close);
    }
}
