package dev.streamae.cli;

import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code streamae trainer}: runs the trainer topology until interrupted. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Runs the trainer: learns the autoencoder from the images topic and publishes "
                + "model snapshots to models and metrics to training-metrics.",
                "Runs until interrupted (Ctrl-C); state is kept in Kafka, so a restart resumes exactly."})
final class TrainerCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Mixin
    RunLoop run;

    @Override
    public Integer call() throws Exception {
        Map<String, String> config = options.load("trainer.properties");
        StreamAeSettings settings = StreamAeSettings.from(config);
        TrainerMetrics metrics = new TrainerMetrics();
        AtomicLong badRecords = metrics.badRecordsCounter();
        var topology = TrainerTopology.build(settings, ModelFactory.of(settings), metrics);
        try (StreamsApp app = new StreamsApp("trainer", topology,
                StreamsProperties.trainer(ConfigOptions.bootstrap(config), config, badRecords));
             PrometheusEndpoint prometheus = PrometheusEndpoint.start(app, settings)) {
            run.serve(app, prometheus,
                    String.format("trainer running against %s (model %s, %s)", ConfigOptions.bootstrap(config),
                    settings.modelName(), settings.architecture()), () -> String.format(
                    "trained %d images, model version %d, loss %.5f, threshold %.5f, bad records %d",
                    metrics.examplesTrained(), metrics.modelVersion(), metrics.lastLoss(), metrics.threshold(),
                    badRecords.get()));
        }
        return 0;
    }
}
