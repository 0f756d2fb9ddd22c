package dev.streamae.cli;

import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamae trainer}: runs the trainer topology until interrupted. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Runs the trainer: learns the autoencoder from the images topic and publishes "
                + "model snapshots to models and metrics to training-metrics.",
                "Runs until interrupted (Ctrl-C); state is kept in Kafka, so a restart resumes exactly."})
final class TrainerCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Print a status line this often (0: never). Default: ${DEFAULT-VALUE}.")
    int statusSeconds;

    @Override
    public Integer call() throws Exception {
        Map<String, String> config = options.load("trainer.properties");
        StreamAeSettings settings = StreamAeSettings.from(config);
        TrainerMetrics metrics = new TrainerMetrics();
        AtomicLong badRecords = metrics.badRecordsCounter();
        var topology = TrainerTopology.build(settings, ModelFactory.of(settings), metrics);
        try (StreamsApp app = new StreamsApp("trainer", topology,
                StreamsProperties.trainer(ConfigOptions.bootstrap(config), config, badRecords))) {
            Runtime.getRuntime().addShutdownHook(new Thread(app::close, "trainer-shutdown"));
            app.start(Duration.ofMinutes(2));
            System.out.printf("trainer running against %s (model %s, %s)%n", ConfigOptions.bootstrap(config),
                    settings.modelName(), settings.architecture());
            RunLoop.untilStopped(app, statusSeconds, () -> String.format(
                    "trained %d images, model version %d, loss %.5f, threshold %.5f, bad records %d",
                    metrics.examplesTrained(), metrics.modelVersion(), metrics.lastLoss(), metrics.threshold(),
                    badRecords.get()));
        }
        return 0;
    }
}
