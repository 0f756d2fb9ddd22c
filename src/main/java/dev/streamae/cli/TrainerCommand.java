package dev.streamae.cli;

import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingTopic;
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
        TrainerMetrics metrics = new TrainerMetrics();
        AtomicLong badRecords = metrics.badRecordsCounter();
        StreamAeSettings configured = StreamAeSettings.from(config);
        ModelFactory factory = ModelFactory.of(configured);  // an engine that cannot run stops the start first
        var properties = StreamsProperties.trainer(ConfigOptions.bootstrap(config), config, badRecords);
        StreamAeSettings settings = TrainingTopic.settle(configured, properties);
        var topology = TrainerTopology.build(settings, factory, metrics);
        try (StreamsApp app = new StreamsApp("trainer", topology, properties);
             PrometheusEndpoint prometheus = PrometheusEndpoint.start(app, settings)) {
            run.serve(app, prometheus,
                    String.format("trainer running against %s (default model %s, %s, %d training partitions)",
                    ConfigOptions.bootstrap(config), settings.modelName(), settings.architecture(),
                    settings.models().trainingPartitions()), () -> String.format(
                    "trained %d images of %d models, last version %d, loss %.5f, bad records %d",
                    metrics.examplesTrained(), metrics.models(), metrics.modelVersion(), metrics.lastLoss(),
                    badRecords.get()));
        }
        return 0;
    }
}
