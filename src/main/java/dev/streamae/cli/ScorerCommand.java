package dev.streamae.cli;

import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScorerMetrics;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code streamae scorer}: runs one scorer instance until interrupted. */
@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = {"Runs a scorer instance: scores every image on images with its model's snapshot (pinned on "
                + "model-control, else the newest on models; the models.fallback model's for a model with none), "
                + "writing image-scores, anomaly-alerts and, for bad records, images-dlq.",
                "Start several to share the images partitions. Runs until interrupted (Ctrl-C)."})
final class ScorerCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Mixin
    RunLoop run;

    @Override
    public Integer call() throws Exception {
        Map<String, String> config = options.load("scorer.properties");
        StreamAeSettings settings = StreamAeSettings.from(config);
        ScorerMetrics metrics = new ScorerMetrics();
        ModelRegistry registry = new ModelRegistry(settings, ModelFactory.of(settings));
        AtomicLong badRecords = metrics.badRecordsCounter();
        var topology = ScorerTopology.build(settings, registry, metrics);
        try (StreamsApp app = new StreamsApp("scorer", topology,
                StreamsProperties.scorer(ConfigOptions.bootstrap(config), config, badRecords));
             PrometheusEndpoint prometheus = PrometheusEndpoint.start(app, settings)) {
            run.serve(app, prometheus,
                    String.format("scorer running against %s (model %s)", ConfigOptions.bootstrap(config),
                    settings.modelName()), () -> String.format(
                    "scored %d images, %d anomalies, model version %d, %d snapshots rejected, bad records %d",
                    metrics.imagesScored(), metrics.anomalies(), registry.version(), registry.rejectedSnapshots(),
                    badRecords.get()));
        }
        return 0;
    }
}
