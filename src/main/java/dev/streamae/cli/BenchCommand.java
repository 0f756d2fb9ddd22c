package dev.streamae.cli;

import dev.streamae.bench.BenchPlan;
import dev.streamae.bench.BenchReport;
import dev.streamae.bench.BenchRunner;
import dev.streamae.bench.ReportTable;
import dev.streamae.streams.ModelFactory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamae bench}: throughput, latency and memory of the model and both topologies, against PyTorch. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Benchmarks offline training, the trainer and the scorer on a local broker, against PyTorch.",
        description = {"Measures, in one run on an embedded Kafka broker (or --bootstrap-servers): offline training and "
                + "batch-inference images/s of the model and of the PyTorch reference "
                + "(src/bench/torch_reference.py, same split, batch and epochs; skipped where python3 cannot import "
                + "torch); the trainer topology's images trained per second from the images topic; the scorer "
                + "topology's images scored per second and its p50/p99 latency to a read_committed consumer at "
                + "--latency-rate and at 80%% of its maximum; heap after GC and resident memory of trainer and scorer, "
                + "each in a child JVM with -Xmx512m.",
                "PyTorch runs in warm, long-lived processes (a warm-up epoch first), measured side by side: its "
                        + "training right before the trainer's first measured run and after each, its inference the "
                        + "same way around the scorer's; the targets are the median of the run-by-run ratios. It runs "
                        + "in the environment given; the report names the BLAS and the OpenBLAS kernel it ran on, and "
                        + "when OPENBLAS_CORETYPE forces another kernel than OpenBLAS picks itself, the targets against "
                        + "PyTorch get no verdict.",
                "Prints medians of --repeats runs, the ratios and the targets (pass/fail), and writes the same as JSON "
                        + "(with the previous file's medians, for the deltas). Run it on a quiet machine: other load "
                        + "slows every figure, though ratios suffer less.", ""})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Runs of each measurement; the table shows their median. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--warmup-runs", paramLabel = "N", defaultValue = "8",
            description = "The most runs before the measured ones, not counted: the JIT compiler's work is no part "
                    + "of the steady state. The trainer and scorer stop warming up after the first run in which "
                    + "their JVM spent at most a quarter of the time compiling; so do the scorer latency app's "
                    + "warm-up windows (at least one). Offline, and each PyTorch process: one warm-up epoch if N > 0. "
                    + "Default: ${DEFAULT-VALUE}.")
    int warmupRuns;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "2",
            description = "Offline training epochs, DL4J and PyTorch alike. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--images", paramLabel = "N", defaultValue = "192000",
            description = "Images in the backlog each trainer and scorer run consumes (rounded up to whole training "
                    + "batches). Default: ${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--latency-rate", paramLabel = "IMAGES_PER_SECOND", defaultValue = "2000",
            description = "Fixed rate of the first latency measurement. Default: ${DEFAULT-VALUE}.")
    int latencyRate;

    @Option(names = "--latency-seconds", paramLabel = "SECONDS", defaultValue = "10",
            description = "Length of each latency measurement, after its warm-up. Default: ${DEFAULT-VALUE}.")
    int latencySeconds;

    @Option(names = "--warmup-seconds", paramLabel = "SECONDS", defaultValue = "3",
            description = "Warm-up before each latency measurement, not counted. Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(names = "--only", paramLabel = "PART", split = ",",
            description = "Run only these parts: offline, trainer, scorer (comma-separated). Default: all.")
    List<BenchPlan.Part> only = new ArrayList<>();

    @Option(names = "--quick", description = "A smoke run: 1,280 images, 1 repeat, no warm-up, 1 epoch, 1 inference pass, "
            + "2 s latency windows, no PyTorch (options given explicitly still apply).")
    boolean quick;

    @Option(names = "--no-torch", description = "Skip the PyTorch reference.")
    boolean noTorch;

    @Option(names = "--python", paramLabel = "EXECUTABLE", split = ",", defaultValue = "python3,/usr/bin/python3",
            description = "Pythons to try for the PyTorch reference; the first that imports torch is used. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> pythons;

    @Option(names = "--torch-threads", paramLabel = "N", split = ",", defaultValue = "1,2",
            description = "PyTorch thread counts to run, one process each; the fastest in each measurement is the "
                    + "reference. Default: ${DEFAULT-VALUE}.")
    List<Integer> torchThreads;

    @Option(names = "--in-process", description = "Run trainer and scorer in this JVM instead of child JVMs "
            + "(faster to start; memory is then not measured).")
    boolean inProcess;

    @Option(names = "--child-heap", paramLabel = "SIZE", defaultValue = "512m",
            description = "-Xmx of the trainer's and the scorer's child JVMs. Default: ${DEFAULT-VALUE} (1g with --models).")
    String childHeap;

    @Option(names = "--models", paramLabel = "N", split = ",",
            description = "Instead of the standard bench: what many models cost. Trainer and scorer runs (or --only "
                    + "one of them) on backlogs spread evenly over each of these numbers of models, ascending (e.g. "
                    + "1,4,32), taking turns, --repeats rounds: images/s, CPU per image and heap after a full GC with "
                    + "the models resident, each app in a child JVM at -Xmx1g; targets: CPU per image with the most "
                    + "models at most 1.2x (trainer) and 1.1x (scorer) that with the fewest; the heap one model costs. "
                    + "No offline part, no PyTorch.")
    List<Integer> modelCounts = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "streamae-output/bench/results.json",
            description = "Results file; the previous one's medians are kept in it for comparison. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path json;

    @Option(names = BenchRunner.CHILD_OPTION, hidden = true)
    BenchPlan.Part child;

    @Option(names = BenchRunner.BACKLOG_OPTION, hidden = true)
    String backlogStart;

    @Option(names = BenchRunner.BACKLOG_PREFIX_OPTION, hidden = true)
    String backlogPrefix;

    @Option(names = BenchRunner.WORK_DIR_OPTION, hidden = true)
    Path workDir;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        PrintWriter out = cmd.getOut();
        applyQuick(cmd.getParseResult());
        if (!modelCounts.isEmpty()) {
            noTorch = true;
            if (!cmd.getParseResult().hasMatchedOption("--child-heap")) {
                childHeap = "1g";
            }
        }
        Map<String, String> config = options.load("bench.properties");
        Path scratch = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("streamae-bench-");
        BenchPlan plan = plan(cmd, config, scratch);
        BenchRunner runner = new BenchRunner(plan, ModelFactory::of, line -> {
            out.println(line);
            out.flush();
        });
        if (child != null) {
            // With --models, each run produces its own backlog.
            if (modelCounts.isEmpty() && (backlogStart == null || backlogPrefix == null)) {
                throw new CommandLine.ParameterException(cmd, "a child run needs its backlog");
            }
            runner.runChild(child, backlogStart == null ? null
                    : BenchRunner.backlog(backlogStart, plan.images(), backlogPrefix)).write(json);
            return 0;
        }
        BenchReport previous = BenchReport.readIfPresent(json);
        try {
            BenchReport report = runner.run(json.toAbsolutePath().getParent()).comparedWith(previous);
            out.println();
            out.print(ReportTable.render(report));
            report.write(json);
            out.println("results written to " + json.toAbsolutePath().normalize());
            out.flush();
        } finally {
            if (workDir == null) {
                deleteQuietly(scratch);
            }
        }
        return 0;
    }

    private void applyQuick(CommandLine.ParseResult parsed) {
        if (!quick) {
            return;
        }
        if (!parsed.hasMatchedOption("--images")) {
            images = 1280;
        }
        if (!parsed.hasMatchedOption("--repeats")) {
            repeats = 1;
        }
        if (!parsed.hasMatchedOption("--warmup-runs")) {
            warmupRuns = 0;
        }
        if (!parsed.hasMatchedOption("--epochs")) {
            epochs = 1;
        }
        if (!parsed.hasMatchedOption("--latency-seconds")) {
            latencySeconds = 2;
        }
        if (!parsed.hasMatchedOption("--warmup-seconds")) {
            warmupSeconds = 1;
        }
        noTorch = true;
    }

    private BenchPlan plan(CommandLine cmd, Map<String, String> config, Path scratch) {
        Set<BenchPlan.Part> parts = child != null ? EnumSet.of(child)
                : !only.isEmpty() ? EnumSet.copyOf(only)
                : modelCounts.isEmpty() ? EnumSet.allOf(BenchPlan.Part.class) : EnumSet.of(BenchPlan.Part.TRAINER, BenchPlan.Part.SCORER);
        int batch;
        try {
            batch = dev.streamae.streams.StreamAeSettings.from(config).batchSize();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        // Whole batches of every model: a partial last batch would wait train.partial.batch.ms and be timed.
        int multiple = BenchPlan.backlogMultiple(batch, modelCounts);
        int rounded = images < 1 ? images : (images + multiple - 1) / multiple * multiple;
        try {
            return new BenchPlan(parts, repeats, warmupRuns, epochs, rounded, latencyRate, latencySeconds, warmupSeconds,
                    noTorch ? List.of() : pythons, torchThreads, !inProcess, childHeap, config, scratch, quick, modelCounts);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // a scratch directory left behind is harmless
        }
    }
}
