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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;

/**
 * Runs a benchmark: the broker (embedded unless one is configured), the topics, the offline
 * comparison with PyTorch, the backlog and the scorer's model, then the trainer and the scorer,
 * each in a child JVM of its own (so heap and resident memory are each app's) or in this one.
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
            Snapshot scorerModel = null;
            if (plan.has(BenchPlan.Part.OFFLINE)) {
                TorchReference torch = findTorch(notes);
                if (System.getenv("OMP_NUM_THREADS") == null) {
                    notes.add("OMP_NUM_THREADS is not set: DL4J's offline figures are about half what they are with "
                            + "OMP_NUM_THREADS=1 (the launcher sets it; the child JVMs always have it)");
                }
                OfflineBench.Outcome offline = OfflineBench.run(plan, settings, torch, ScorerBench.MODEL_NAME, progress);
                measures.addAll(offline.measures());
                if (offline.torchBlas() != null) {
                    notes.add("PyTorch's BLAS: " + offline.torchBlas() + ". Debian's torch calls whatever libblas.so.3 "
                            + "points to, and its speed depends on it (on the 2-core machine: OpenBLAS 31,000 img/s training "
                            + "and 104,000 inference, the reference BLAS 3,400 and 6,600): compare runs with the same BLAS");
                }
                scorerModel = offline.model();
            }
            if (plan.has(BenchPlan.Part.TRAINER) || plan.has(BenchPlan.Part.SCORER)) {
                BenchKafka.Backlog backlog;
                try (Admin admin = Admin.create(clientProps)) {
                    TopicAdmin.ensure(admin, TopicDeclarations.load().all());
                    progress.accept(String.format(Locale.ROOT, "producing a backlog of %,d images (u8 JSON) ...", plan.images()));
                    backlog = BenchKafka.produceBacklog(admin, clientProps, plan.images(),
                            "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-");
                }
                if (plan.has(BenchPlan.Part.SCORER)) {
                    BenchKafka.publishModel(clientProps, scorerModel != null ? scorerModel
                            : OfflineBench.quickModel(settings, ScorerBench.MODEL_NAME));
                }
                for (BenchPlan.Part part : List.of(BenchPlan.Part.TRAINER, BenchPlan.Part.SCORER)) {
                    if (plan.has(part)) {
                        measures.addAll(plan.forkChildren() ? inChild(part, config, backlog, logDir)
                                : inThisJvm(planned, part, backlog, null));
                    }
                }
                if (!plan.forkChildren()) {
                    notes.add("heap and resident memory not measured: trainer and scorer ran in this JVM (--in-process)");
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        Map<String, Double> medians = new HashMap<>();
        measures.forEach(m -> medians.put(m.key(), m.median()));
        BenchReport.Machine machine = new BenchReport.Machine(Runtime.getRuntime().availableProcessors(), loadBefore,
                loadAverage(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return new BenchReport(BenchReport.FORMAT, startedAt, machine, plan.describe(), measures,
                Checks.evaluate(medians, plan.latencyRate()), notes, null);
    }

    /** A child JVM's part: the trainer or the scorer against the given broker, backlog and model. */
    public List<Measure> runChild(BenchPlan.Part part, BenchKafka.Backlog backlog) throws Exception {
        try (MemorySampler memory = MemorySampler.start(200)) {
            return inThisJvm(plan, part, backlog, memory);
        }
    }

    /** The backlog a child was given on its command line. */
    public static BenchKafka.Backlog backlog(String start, int count, String prefix) {
        return new BenchKafka.Backlog(BenchKafka.Backlog.decodeStart(start), count, prefix);
    }

    private List<Measure> inThisJvm(BenchPlan p, BenchPlan.Part part, BenchKafka.Backlog backlog, MemorySampler memory)
            throws Exception {
        try (AppRuns runs = new AppRuns(p, models, progress)) {
            return part == BenchPlan.Part.TRAINER ? TrainerBench.run(runs, backlog, memory)
                    : ScorerBench.run(runs, backlog, memory);
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
            progress.accept("PyTorch reference: " + torch.python() + " src/bench/torch_reference.py --speed-only");
        }
        return torch;
    }

    private List<Measure> inChild(BenchPlan.Part part, Map<String, String> config, BenchKafka.Backlog backlog, Path logDir)
            throws IOException, InterruptedException {
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
                BACKLOG_OPTION, backlog.encodeStart(), BACKLOG_PREFIX_OPTION, backlog.idPrefix(),
                "--images", Integer.toString(backlog.count()),
                "--repeats", Integer.toString(plan.repeats()),
                "--warmup-runs", Integer.toString(plan.warmupRuns()),
                "--latency-rate", Integer.toString(plan.latencyRate()),
                "--latency-seconds", Integer.toString(plan.latencySeconds()),
                "--warmup-seconds", Integer.toString(plan.warmupSeconds()),
                WORK_DIR_OPTION, plan.workDir().resolve(name).toString(),
                "--json", json.toString()));
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
        return BenchReport.fromJson(Files.readString(json)).measures();
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

    /** A report of a child's measures, to hand them to the parent. */
    public static BenchReport childReport(List<Measure> measures) {
        return new BenchReport(BenchReport.FORMAT, Instant.now().toString(),
                new BenchReport.Machine(Runtime.getRuntime().availableProcessors(), -1, -1, "", ""),
                Map.of(), measures, List.of(), List.of(), null);
    }
}
