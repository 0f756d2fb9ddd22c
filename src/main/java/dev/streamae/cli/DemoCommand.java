package dev.streamae.cli;

import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ModelFigures;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScorerMetrics;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingMetrics;
import dev.streamae.web.Dashboard;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamae demo}: the whole product in one process, on a local broker, with a report.
 * Everything here is wiring: the broker, the topologies and the producer are the ones users run.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the whole pipeline on a local Kafka broker (or --bootstrap-servers): creates the topics, "
                + "starts trainer and scorer, streams shuffled MNIST digits with injected Fashion-MNIST anomalies "
                + "(or several streams, each on its own model: --streams digits,fashion), shows live progress and ends with a report (AUROC, alert precision/recall, throughput, latency) "
                + "and the seed's two figures."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to stream images. Default: ${DEFAULT-VALUE}.")
    int durationSeconds;

    @Option(names = "--rate", paramLabel = "IMAGES_PER_SECOND", defaultValue = "1000",
            description = "Images produced per second, all streams together. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--streams", paramLabel = "STREAM", split = ",", defaultValue = "digits",
            description = "Image streams to send at once, taking turns: digits (MNIST digits, Fashion-MNIST anomalies), "
                    + "fashion (Fashion-MNIST, noise frames as anomalies). With several, each stream's images name "
                    + "its own model (the stream's name) and the report has a row per model. Default: ${DEFAULT-VALUE}.")
    List<String> streamNames;

    @Option(names = "--anomaly-rate", paramLabel = "FRACTION", defaultValue = "0.03",
            description = "Fraction of each stream's images injected as anomalies. Default: ${DEFAULT-VALUE}.")
    double anomalyRate;

    @Option(names = "--drift-at", paramLabel = "SECONDS",
            description = "Make normal drift: from this second on, normal images are Fashion-MNIST and the injected "
                    + "anomalies noise frames. The report then shows the trainer's drift events and the false-alarm "
                    + "rate after the change. Only with the digits stream alone. Default: no drift.")
    Integer driftAtSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the stream's order and anomalies. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "streamae-output/demo",
            description = "Where the report and figures are written. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the live dashboard on 127.0.0.1 (0: any free port; -1: no dashboard). Default: ${DEFAULT-VALUE}.")
    int dashboardPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (durationSeconds < 1 || rate < 1 || anomalyRate < 0 || anomalyRate >= 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--duration and --rate must be positive and --anomaly-rate in [0, 1)");
        }
        if (driftAtSeconds != null && (driftAtSeconds < 1 || driftAtSeconds >= durationSeconds)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--drift-at must be a second within the run's --duration (1 to " + (durationSeconds - 1) + ")");
        }
        List<DemoStream> streams;
        try {
            streams = DemoStream.of(streamNames);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (driftAtSeconds != null && (streams.size() > 1 || !streams.get(0).name().equals("digits"))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--drift-at drifts the digits stream alone: leave out --streams");
        }
        Map<String, String> config = new HashMap<>(options.load("demo.properties"));
        Path stateDir = Files.createTempDirectory("streamae-demo-state");
        config.put("state.dir", stateDir.toString());
        StreamAeSettings settings = StreamAeSettings.from(config);
        long started = System.nanoTime();
        LogConfig.file().ifPresent(log -> out.printf("full log: %s%n", log));
        LocalKafka broker = null;
        try {
            if (config.get("bootstrap.servers") == null) {
                out.println("starting a local Kafka broker ...");
                out.flush();
                broker = LocalKafka.start();
                config.put("bootstrap.servers", broker.bootstrapServers());
            }
            String bootstrap = ConfigOptions.bootstrap(config);
            Map<String, Object> clientProps = DemoRun.clientProperties(config);
            try (Admin admin = Admin.create(clientProps)) {
                TopicAdmin.Report report = TopicAdmin.ensure(admin, TopicDeclarations.load().all());
                out.printf("Kafka at %s; topics: %s%n", bootstrap, report);
            }
            TrainerMetrics trainerMetrics = new TrainerMetrics();
            ScorerMetrics scorerMetrics = new ScorerMetrics();
            ModelRegistry registry = new ModelRegistry(settings, ModelFactory.of(settings));
            Datasets.Split split = Datasets.seedSplit();
            try (Dashboard dashboard = dashboardPort < 0 ? null
                         : new Dashboard(new HashMap<>(clientProps), settings, Dashboard.DEFAULT_BIND, dashboardPort).start();
                 StreamsApp trainer = new StreamsApp("trainer",
                         TrainerTopology.build(settings, ModelFactory.of(settings), trainerMetrics),
                         StreamsProperties.trainer(bootstrap, config, trainerMetrics.badRecordsCounter()));
                 StreamsApp scorer = new StreamsApp("scorer", ScorerTopology.build(settings, registry, scorerMetrics),
                         StreamsProperties.scorer(bootstrap, config, scorerMetrics.badRecordsCounter()))) {
                trainer.start(Duration.ofMinutes(2));
                scorer.start(Duration.ofMinutes(2));
                if (dashboard != null) {
                    out.printf("live dashboard: %s%n", dashboard.url());
                }
                if (streams.size() == 1) {
                    out.printf("trainer and scorer running (model %s, %s, metric %s); streaming %d images/s for %d s, "
                            + "%.0f%% %s anomalies%n", settings.modelName(), settings.architecture(),
                            settings.metric().id(), rate, durationSeconds, anomalyRate * 100, streams.get(0).anomalyDataset());
                } else {
                    out.printf("trainer and scorer running (%s, metric %s); streaming %d images/s for %d s over %d streams, "
                            + "each on its own model (%s), %.0f%% anomalies in each%n", settings.architecture(),
                            settings.metric().id(), rate, durationSeconds, streams.size(),
                            String.join(", ", streams.stream().map(s -> s.name() + ": " + s.normal() + " with "
                                    + s.anomalyDataset() + " anomalies").toList()), anomalyRate * 100);
                }
                out.flush();
                DemoRun run = new DemoRun(clientProps, seed, anomalyRate,
                        driftAtSeconds == null ? null : Duration.ofSeconds(driftAtSeconds), streams);
                DemoRun.Result result = run.stream(rate, Duration.ofSeconds(durationSeconds), out,
                        () -> String.format("trained %,d | scored %,d | loss %.4f | threshold %.4f | alerts %,d | model v%d",
                                trainerMetrics.examplesTrained(), scorerMetrics.imagesScored(), trainerMetrics.lastLoss(),
                                trainerMetrics.threshold(), scorerMetrics.anomalies(), registry.version()));
                Files.createDirectories(output);
                // The seed's figures are of one model: the first stream's (the default model with one stream).
                String drawn = streams.get(0).model() == null ? settings.modelName() : streams.get(0).model();
                ModelRegistry.Served served = registry.served(drawn);
                List<Path> figures = writeFigures(served == null ? null : served.snapshot(), settings, split);
                TrainingMetrics lastPublished = trainerMetrics.lastPublished();
                String report = result.report(settings, registry.version(), trainerMetrics.examplesTrained(),
                        lastPublished == null ? null : lastPublished.contamination(), trainerMetrics.recentEvents(), figures,
                        LogConfig.file().orElse(null), (System.nanoTime() - started) / 1e9);
                out.println();
                out.println(report);
                Files.writeString(output.resolve("report.txt"), report);
                out.printf("report written to %s%n", output.resolve("report.txt"));
                return result.scoredExactlyOnce() ? 0 : 1;
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            deleteQuietly(stateDir);
        }
    }

    private List<Path> writeFigures(Snapshot snapshot, StreamAeSettings settings, Datasets.Split split) {
        if (snapshot == null) {
            return List.of();
        }
        Autoencoder model = ModelFactory.of(settings).create(snapshot.architecture(), snapshot.metric());
        model.restore(snapshot.toModelState());
        String name = snapshot.modelName().equals(settings.modelName()) ? "" : snapshot.modelName() + " ";
        return ModelFigures.writeBoth(model, split, output, "streamed model " + name + "v" + snapshot.modelVersion()
                + ", " + snapshot.examplesSeen() + " images learnt");
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // a temp directory left behind is harmless
        }
    }
}
