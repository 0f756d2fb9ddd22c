package dev.streamae.bench;

import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the trainer and scorer benchmarks share: the configuration of each fresh application (its
 * own application id and state directory, so every run starts from nothing), the models, progress,
 * the PyTorch reference measured beside the runs, and clean-up of what the runs left on the broker.
 */
final class AppRuns implements AutoCloseable {

    private final BenchPlan plan;
    private final Function<StreamAeSettings, ModelFactory> models;
    private final Consumer<String> progress;
    private final Admin admin;
    private final TorchRuns torch;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final List<String> applicationIds = new ArrayList<>();
    private final List<Path> stateDirs = new ArrayList<>();

    /** @param torch the PyTorch reference, or null to compare with none */
    AppRuns(BenchPlan plan, Function<StreamAeSettings, ModelFactory> models, Consumer<String> progress, TorchReference torch) {
        this.plan = plan;
        this.models = models;
        this.progress = progress;
        this.torch = torch == null ? null : new TorchRuns(torch, plan, StreamAeSettings.from(plan.config()).seed(),
                TorchRuns.BESIDE_SECONDS, progress);
        this.admin = Admin.create(clientProps());
    }

    BenchPlan plan() {
        return plan;
    }

    Admin admin() {
        return admin;
    }

    void progress(String line) {
        progress.accept(line);
    }

    /** The PyTorch reference of {@code kind} to measure beside {@code app}'s runs, null without one. */
    RunSeries.Reference torchBeside(TorchRuns.Kind kind, String app) {
        return torch == null ? null : torch.beside(kind, app);
    }

    /** What the PyTorch reference ran on so far. */
    List<TorchSetup> torchSetups() {
        return torch == null ? List.of() : torch.setups();
    }

    ModelFactory models(StreamAeSettings settings) {
        return models.apply(settings);
    }

    /** Kafka client settings for the bench's own producers and consumers. */
    Map<String, Object> clientProps() {
        return clientProps(plan.config());
    }

    static Map<String, Object> clientProps(Map<String, String> config) {
        Map<String, Object> props = new HashMap<>();
        // Only what a client needs to reach the broker: the apps' tuning is not the bench clients'.
        config.forEach((k, v) -> {
            if (k.equals("bootstrap.servers") || k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                props.put(k, v);
            }
        });
        return props;
    }

    /**
     * Configuration of a new application: the plan's settings, {@code extra}, a fresh application id
     * {@code streamae-bench-<role>-<run>-<n>} and a fresh state directory.
     */
    Map<String, String> newApp(String role, Map<String, String> extra) throws IOException {
        String id = "streamae-bench-" + role + "-" + runId + "-" + (applicationIds.size() + 1);
        applicationIds.add(id);
        Path state = Files.createDirectories(plan.workDir()).resolve("state-" + id);
        stateDirs.add(state);
        Map<String, String> config = new HashMap<>(plan.config());
        config.putAll(extra);
        config.put("application.id", id);
        config.put("state.dir", state.toString());
        return config;
    }

    @Override
    public void close() {
        if (torch != null) {
            torch.close();
        }
        BenchKafka.deleteApps(admin, applicationIds, java.time.Duration.ofSeconds(30));
        admin.close();
        for (Path dir : stateDirs) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // a state directory left in the scratch space is harmless
            }
        }
    }
}
