package dev.streamae.bench;

import ch.qos.logback.classic.ClassicConstants;
import dev.streamae.broker.LocalKafka;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * Runs a benchmark: the broker (embedded unless one is configured), the topics, the offline
 * comparison with PyTorch, the backlog and the scorer's model, then the trainer and the scorer,
 * each in a child JVM of its own (so heap and resident memory are each app's) or in this one,
 * each with the PyTorch reference of its kind measured between its runs ({@link RunSeries}) by
 * processes the JVM that runs it starts.
 */
public final class BenchRunner {

    /** Options a child JVM is started with; the bench command declares them (hidden). */
    public static final String CHILD_OPTION = "--child";
    public static final String BACKLOG_OPTION = "--backlog-start";
    public static final String BACKLOG_PREFIX_OPTION = "--backlog-prefix";
    public static final String WORK_DIR_OPTION = "--work-dir";
    /**
     * Environment variable with extra JVM options for the child JVMs (space-separated), e.g. to
     * profile them. Not STREAMAE_*: those are configuration keys, passed on to Kafka.
     */
    public static final String CHILD_JAVA_OPTS = "BENCH_CHILD_JAVA_OPTS";

    private final BenchPlan plan;
    private final Function<StreamAeSettings, ModelFactory> models;
    private final Consumer<String> progress;

    public BenchRunner(BenchPlan plan, Function<StreamAeSettings, ModelFactory> models, Consumer<String> progress) {
        this.plan = plan;
        this.models = models;
        this.progress = progress;
    }

    /** The whole benchmark; child JVMs' logs go to {@code logDir}. */
    public BenchReport run(Path logDir) throws Exception {
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        double loadBefore = loadAverage();
        List<String> notes = new ArrayList<>();
        List<Measure> measures = new ArrayList<>();
        Set<TorchSetup> torchSetups = new LinkedHashSet<>();
        Map<String, String> config = new HashMap<>(plan.config());
        LocalKafka broker = null;
        try {
            if (config.get("bootstrap.servers") == null) {
                progress.accept("starting an embedded Kafka broker ...");
                broker = LocalKafka.start();
                config.put("bootstrap.servers", broker.bootstrapServers());
            }
            BenchPlan planned = plan.withConfig(config);
            Map<String, Object> clientProps = AppRuns.clientProps(config);
            StreamAeSettings settings = StreamAeSettings.from(config);
            TorchReference torch = findTorch(notes);
            Snapshot scorerModel = null;
            if (plan.has(BenchPlan.Part.OFFLINE)) {
                if (System.getenv("OMP_NUM_THREADS") == null) {
                    notes.add("OMP_NUM_THREADS is not set: DL4J's offline figures are about half what they are with "
                            + "OMP_NUM_THREADS=1 (the launcher sets it; the child JVMs always have it)");
                }
                OfflineBench.Outcome offline = OfflineBench.run(plan, settings, torch, ScorerBench.MODEL_NAME, progress);
                measures.addAll(offline.measures());
                torchSetups.addAll(offline.torchSetups());
                scorerModel = offline.model();
            }
            if (plan.has(BenchPlan.Part.TRAINER) || plan.has(BenchPlan.Part.SCORER)) {
                // --models: each run produces its own backlog right before it (ModelsBench), none here.
                BenchKafka.Backlog backlog = null;
                try (Admin admin = Admin.create(clientProps)) {
                    TopicAdmin.ensure(admin, TopicDeclarations.load().all());
                    if (!plan.comparesModels()) {
                        progress.accept(String.format(Locale.ROOT, "producing a backlog of %,d images (u8 JSON) ...", plan.images()));
                        backlog = BenchKafka.produceBacklog(admin, clientProps, plan.images(),
                                "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-");
                    }
                }
                if (plan.has(BenchPlan.Part.SCORER)) {
                    Snapshot model = scorerModel != null ? scorerModel : OfflineBench.quickModel(settings, ScorerBench.MODEL_NAME);
                    BenchKafka.publishModel(clientProps, model, plan.comparesModels() ? ModelsBench.scorerModels(plan)
                            : List.of(model.modelName()));
                }
                for (BenchPlan.Part part : List.of(BenchPlan.Part.TRAINER, BenchPlan.Part.SCORER)) {
                    if (plan.has(part)) {
                        BenchReport done = plan.forkChildren() ? inChild(part, config, backlog, torch, logDir)
                                : inThisJvm(planned, part, backlog, null, torch);
                        measures.addAll(done.measures());
                        torchSetups.addAll(done.torchSetups());
                        notes.addAll(done.notes());
                    }
                }
                if (!plan.forkChildren()) {
                    notes.add(plan.comparesModels() ? "trainer and scorer ran in this JVM (--in-process): their heap after "
                            + "full GC includes the broker's, only differences between model counts tell"
                            : "heap and resident memory not measured: trainer and scorer ran in this JVM (--in-process)");
                }
                if (plan.comparesModels() && plan.has(BenchPlan.Part.SCORER)) {
                    notes.add("scorer: one snapshot is published under each of the most models' names before its runs, so "
                            + "every run's scorer holds all of them (and whatever else is on the models topic, e.g. the "
                            + "trainer runs' models); the counts differ in how many of them the images use: its heap per "
                            + "model is what a model in use adds, not a snapshot held");
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        notes.addAll(torchNotes(torchSetups));
        Map<String, Double> medians = new HashMap<>();
        measures.forEach(m -> medians.put(m.key(), m.median()));
        BenchReport.Machine machine = new BenchReport.Machine(Runtime.getRuntime().availableProcessors(), loadBefore,
                loadAverage(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        List<Check> checks = plan.comparesModels() ? Checks.models(medians, plan.modelCounts())
                : Checks.evaluate(medians, plan.latencyRate(), torchSetups.stream().anyMatch(TorchSetup::kernelForced));
        return new BenchReport(BenchReport.FORMAT, startedAt, machine, plan.describe(), measures, checks, notes,
                List.copyOf(torchSetups), null);
    }

    /**
     * What a reader must know of the PyTorch reference's setup: a BLAS other than OpenBLAS, a kernel
     * forced by {@code OPENBLAS_CORETYPE} (the targets against PyTorch then get no verdict, see
     * {@link Checks}), and processes that ran on different setups.
     */
    static List<String> torchNotes(Collection<TorchSetup> setups) {
        List<String> notes = new ArrayList<>();
        if (setups.size() > 1) {
            notes.add("the PyTorch reference's processes ran on " + setups.size() + " different setups (see the lines "
                    + "\"PyTorch reference:\" above): the ratios to PyTorch mix them");
        }
        setups.stream().filter(t -> t.core() == null).findFirst().ifPresent(t -> notes.add("PyTorch ran on " + t.blas()
                + ", not OpenBLAS. Debian's torch calls whatever libblas.so.3 points to, and its speed depends on it (on "
                + "the 2-core machine: OpenBLAS 31,000 img/s training and 104,000 inference, the reference BLAS 3,400 and "
                + "6,600): compare runs with the same BLAS"));
        setups.stream().filter(TorchSetup::kernelForced).findFirst().ifPresent(t -> notes.add("PyTorch ran on the OpenBLAS "
                + "kernel " + t.core() + ", forced by OPENBLAS_CORETYPE=" + t.coretypeEnv() + ", where OpenBLAS picks "
                + (t.ownCore() == null ? "a kernel it could not tell" : t.ownCore()) + " on this CPU by itself. A kernel for "
                + "another CPU can slow PyTorch a lot (on the 2-core AVX-512 machine Haswell's held its training to 30,000 "
                + "img/s, against 40,000 with OpenBLAS's own pick), so the ratios to PyTorch may flatter StreamAE and the "
                + "targets against it get no verdict. For a fair comparison: env -u OPENBLAS_CORETYPE src/bin/streamae bench"));
        return notes;
    }

    /**
     * A child JVM's part: the trainer or the scorer against the given broker, backlog (null with
     * {@code --models}, whose runs produce their own) and model.
     */
    public BenchReport runChild(BenchPlan.Part part, BenchKafka.Backlog backlog) throws Exception {
        List<String> notes = new ArrayList<>();
        TorchReference torch = plan.torch() ? findTorch(notes) : null;
        try (MemorySampler memory = MemorySampler.start(200)) {
            BenchReport report = inThisJvm(plan, part, backlog, memory, torch);
            return childReport(report.measures(), report.torchSetups(), notes);
        }
    }

    /** The backlog a child was given on its command line. */
    public static BenchKafka.Backlog backlog(String start, int count, String prefix) {
        return new BenchKafka.Backlog(BenchKafka.Backlog.decodeStart(start), count, prefix);
    }

    /** The part's measures and the PyTorch setups seen, as a child reports them. */
    private BenchReport inThisJvm(BenchPlan p, BenchPlan.Part part, BenchKafka.Backlog backlog, MemorySampler memory,
                                  TorchReference torch) throws Exception {
        try (AppRuns runs = new AppRuns(p, models, progress, torch)) {
            List<Measure> measures = p.comparesModels() ? ModelsBench.run(runs, part)
                    : part == BenchPlan.Part.TRAINER ? TrainerBench.run(runs, backlog, memory)
                    : ScorerBench.run(runs, backlog, memory);
            return childReport(measures, runs.torchSetups(), List.of());
        }
    }

    private TorchReference findTorch(List<String> notes) {
        if (!plan.torch()) {
            notes.add("PyTorch reference skipped (--no-torch or --quick): ratios to PyTorch are not measured");
            return null;
        }
        TorchReference torch = TorchReference.find(plan.torchPythons(), plan.workDir().resolve("torch"));
        if (torch == null) {
            notes.add("PyTorch reference skipped: none of " + plan.torchPythons() + " can import torch and numpy "
                    + "(Debian: apt-get install python3-torch)");
        } else {
            progress.accept("PyTorch reference: " + torch.python() + " src/bench/torch_reference.py --serve");
        }
        return torch;
    }

    private BenchReport inChild(BenchPlan.Part part, Map<String, String> config, BenchKafka.Backlog backlog,
                                TorchReference torch, Path logDir) throws IOException, InterruptedException {
        String name = part.name().toLowerCase(Locale.ROOT);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Path json = Files.createDirectories(plan.workDir()).resolve(name + "-results.json");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + plan.childHeap(), "-Djava.awt.headless=true", "--add-modules", "jdk.incubator.vector",
                // The child logs like a service, to its stderr, which is its log file below.
                "-D" + ClassicConstants.CONFIG_FILE_PROPERTY + "=logback.xml"));
        // e.g. -XX:StartFlightRecording=filename=scorer.jfr,settings=profile to profile one app
        String extra = System.getenv(CHILD_JAVA_OPTS);
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.streamae.cli.StreamAeCommand", "bench",
                CHILD_OPTION, name,
                "--bootstrap-servers", config.get("bootstrap.servers"),
                "--images", Integer.toString(plan.images()),
                "--epochs", Integer.toString(plan.epochs()),
                "--repeats", Integer.toString(plan.repeats()),
                "--warmup-runs", Integer.toString(plan.warmupRuns()),
                "--latency-rate", Integer.toString(plan.latencyRate()),
                "--latency-seconds", Integer.toString(plan.latencySeconds()),
                "--warmup-seconds", Integer.toString(plan.warmupSeconds()),
                WORK_DIR_OPTION, plan.workDir().resolve(name).toString(),
                "--json", json.toString()));
        if (backlog != null) {
            command.addAll(List.of(BACKLOG_OPTION, backlog.encodeStart(), BACKLOG_PREFIX_OPTION, backlog.idPrefix()));
        }
        if (plan.comparesModels()) {
            command.addAll(List.of("--models", plan.modelCounts().stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        // The python found here, so that the child does not probe the others again.
        command.addAll(torch == null ? List.of("--no-torch") : List.of("--python", torch.python(),
                "--torch-threads", plan.torchThreads().stream().map(String::valueOf).collect(Collectors.joining(","))));
        plan.config().forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                command.addAll(List.of("--set", k + "=" + v));
            }
        });
        progress.accept("starting the " + name + " in a child JVM (-Xmx" + plan.childHeap() + "; log: " + log + ")");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process child = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                progress.accept("  [" + name + "] " + line);
            }
        } finally {
            if (child.isAlive() && !child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException("the " + name + " benchmark failed (exit " + child.exitValue() + "); see " + log
                    + tail(log));
        }
        return BenchReport.fromJson(Files.readString(json));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "" : ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The 1-minute load average, or -1 where the platform does not tell. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A report of a child's measures, PyTorch setups and notes, to hand them to the parent. */
    private static BenchReport childReport(List<Measure> measures, List<TorchSetup> torchSetups, List<String> notes) {
        return new BenchReport(BenchReport.FORMAT, Instant.now().toString(),
                new BenchReport.Machine(Runtime.getRuntime().availableProcessors(), -1, -1, "", ""),
                Map.of(), measures, List.of(), notes, torchSetups, null);
    }
}
