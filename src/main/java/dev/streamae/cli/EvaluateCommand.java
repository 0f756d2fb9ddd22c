package dev.streamae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamae.image.Datasets;
import dev.streamae.model.Auroc;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.PrequentialEvaluation;
import dev.streamae.model.PrequentialStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamae evaluate}: a test-then-train replay of a labelled stream, offline. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        header = "Test-then-train replay of MNIST with injected Fashion-MNIST anomalies.",
        description = {"Replays a labelled stream offline (no Kafka) the way the trainer topology learns it: the "
                + "8,000 MNIST training digits in a seeded random order with Fashion-MNIST images injected at "
                + "--anomaly-rate. Each image is first scored by the current model (its prequential error), then "
                + "learnt in mini-batches; the threshold is the --quantile of the last --window prequential errors, "
                + "and no alert fires before --warmup examples have been learnt.",
                "Reports, for each error metric (mse, mae, bce; all from one model's reconstructions), the AUROC "
                        + "over the images scored after warm-up and the precision, recall and F1 of the alerts "
                        + "against the injected anomalies.",
                ""})
final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--anomaly-rate", paramLabel = "RATE", defaultValue = "0.02",
            description = "Fraction of the stream that is Fashion-MNIST, in (0, 0.5]. Default: ${DEFAULT-VALUE}.")
    double anomalyRate;

    @Option(names = "--quantile", paramLabel = "Q", defaultValue = "0.99",
            description = "The threshold is this quantile of the window, in (0, 1). Default: ${DEFAULT-VALUE}.")
    double quantile;

    @Option(names = "--window", paramLabel = "N", defaultValue = "2000",
            description = "Recent prequential errors the threshold is taken over. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2000",
            description = "No alerts (and no AUROC) before the model has learnt this many images. "
                    + "Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "8000",
            description = "Use this many MNIST training digits, spread over all classes (at most 8000). "
                    + "Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the numbers to FILE as JSON.")
    Path json;

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        model.validate(cmd);
        if (!(anomalyRate > 0 && anomalyRate <= 0.5)) {
            throw new CommandLine.ParameterException(cmd, "--anomaly-rate must be in (0, 0.5], got " + anomalyRate);
        }
        ModelOptions.requireFraction(cmd, "--quantile", quantile);
        ModelOptions.requireAtLeast(cmd, "--window", window, 1);
        ModelOptions.requireAtLeast(cmd, "--warmup", warmup, 0);
        ModelOptions.requireAtLeast(cmd, "--limit", limit, 1);
        Datasets.Labelled digits = Datasets.mnistTrain();
        if (limit > digits.count()) {
            throw new CommandLine.ParameterException(cmd, "--limit must be at most " + digits.count() + ", got " + limit);
        }
        PrequentialStream stream = PrequentialStream.inject(digits.evenlySpaced(limit), Datasets.fashion(),
                anomalyRate, model.seed);
        if (warmup >= stream.size() - 1) {
            throw new CommandLine.ParameterException(cmd, "--warmup " + warmup + " leaves nothing to evaluate in a "
                    + "stream of " + stream.size() + " images: lower --warmup or raise --limit");
        }
        PrintWriter out = cmd.getOut();
        out.printf(Locale.ROOT, "replaying %s digits with %s Fashion-MNIST images injected (%.1f%%), seed %d: "
                        + "%s, Adam lr %s, batch %d; threshold = %s quantile of the last %s errors, warm-up %s%n",
                Format.count(limit), Format.count(stream.anomalyCount()), 100.0 * stream.anomalyCount() / stream.size(),
                model.seed, model.layers, model.learningRate, model.batchSize, quantile, Format.count(window),
                Format.count(warmup));
        out.flush();

        ProgressBar bar = ProgressBar.onConsole(out);
        long start = System.nanoTime();
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(model.newModel(ErrorMetric.MSE), stream,
                new PrequentialEvaluation.Settings(model.batchSize, window, quantile, warmup),
                (done, total) -> bar.update("replay", done, total, done / ((System.nanoTime() - start) / 1e9)));
        bar.clear();

        out.printf(Locale.ROOT, "scored and learnt %s images at %s img/s; evaluated the %s after warm-up, %s of them "
                        + "anomalies%n%n", Format.count(result.images()), Format.count(result.imagesPerSecond()),
                Format.count(result.evaluated()), Format.count(result.evaluatedAnomalies()));
        out.println("  metric  AUROC   alerts  true  precision  recall  F1");
        for (PrequentialEvaluation.MetricResult m : result.metrics().values()) {
            Auroc.Confusion c = m.alerts();
            out.printf(Locale.ROOT, "  %-6s  %-6s  %6d  %4d  %-9s  %-6s  %s%n", m.metric().id(), Format.ratio(m.auroc()),
                    c.truePositives() + c.falsePositives(), c.truePositives(), Format.ratio(c.precision()),
                    Format.ratio(c.recall()), Format.ratio(c.f1()));
        }
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), toJson(result));
            out.println();
            out.println("wrote " + json.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }

    private Map<String, Object> toJson(PrequentialEvaluation.Result result) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("layers", model.layers.toString());
        settings.put("learningRate", model.learningRate);
        settings.put("batchSize", model.batchSize);
        settings.put("seed", model.seed);
        settings.put("anomalyRate", anomalyRate);
        settings.put("quantile", quantile);
        settings.put("window", window);
        settings.put("warmup", warmup);
        settings.put("limit", limit);
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (PrequentialEvaluation.MetricResult m : result.metrics().values()) {
            Auroc.Confusion c = m.alerts();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("auroc", finiteOrNull(m.auroc()));
            row.put("alerts", c.truePositives() + c.falsePositives());
            row.put("truePositives", c.truePositives());
            row.put("falsePositives", c.falsePositives());
            row.put("falseNegatives", c.falseNegatives());
            row.put("precision", finiteOrNull(c.precision()));
            row.put("recall", finiteOrNull(c.recall()));
            row.put("f1", finiteOrNull(c.f1()));
            metrics.put(m.metric().id(), row);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("images", result.images());
        root.put("anomalies", result.anomalies());
        root.put("evaluatedImages", result.evaluated());
        root.put("evaluatedAnomalies", result.evaluatedAnomalies());
        root.put("imagesPerSecond", result.imagesPerSecond());
        root.put("metrics", metrics);
        return root;
    }

    /** JSON has no NaN: an undefined ratio is null. */
    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
