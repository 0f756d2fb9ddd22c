package dev.streamae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamae.image.Datasets;
import dev.streamae.model.Auroc;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.OneClassEvaluation;
import dev.streamae.model.PrequentialEvaluation;
import dev.streamae.model.PrequentialStream;
import dev.streamae.streams.StreamAeSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamae evaluate}: judges the alert rule offline, the way the trainer runs it, at several
 * contamination levels, and the model's ranking on the one-class protocol.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Judges the alerts at several contamination levels, and the one-class protocol.",
        description = {"Replays labelled streams offline (no Kafka) the way the trainer learns them: MNIST's 8,000 "
                + "training digits in a seeded order, cycled, with Fashion-MNIST images injected at each of --rates. "
                + "Each image is judged by the calibration the trainer would judge it by (its p-value against the "
                + "target false-alarm rate), then learnt unless flagged (the trainer's own code does both).",
                "For each rate it reports, over the images after the warm-up: the false-alarm rate measured on the "
                        + "normal images against the target, recall, precision and F1 of the alerts, the F1 of the "
                        + "best fixed threshold in hindsight (the oracle: how good the alerts could be with labels), "
                        + "AUROC, and the contamination the calibration estimated. Pooled over --seeds replays.",
                "Then the one-class protocol: a model per digit trained on that digit only, AUROC of its errors "
                        + "on the held-out digits (the digit normal, all others anomalies) per error metric, and "
                        + "the mean over the ten digits.",
                ""})
final class EvaluateCommand implements Callable<Integer> {

    private static final StreamAeSettings DEFAULTS = StreamAeSettings.defaults();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--rates", paramLabel = "RATE[,RATE...]", split = ",", defaultValue = "0,0.01,0.03,0.1",
            description = "Contamination levels: fractions of the stream that are Fashion-MNIST, each in [0, 0.5). "
                    + "Default: ${DEFAULT-VALUE}.")
    List<Double> rates;

    @Option(names = "--images", paramLabel = "N", defaultValue = "40000",
            description = "Images per replay (the digits repeat every 8,000). Default: ${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "3",
            description = "Replays per rate, with seeds --seed, --seed + 1, ...; counts are pooled. Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--false-alarm-rate", paramLabel = "RATE",
            description = "Target share of normal images that raise an alert (alert.false.alarm.rate). "
                    + "Default: the service's, ${DEFAULT-VALUE}.")
    double falseAlarmRate = DEFAULTS.falseAlarmRate();

    @Option(names = "--window", paramLabel = "N",
            description = "Recent errors the calibration is fitted to (calibration.window). Default: ${DEFAULT-VALUE}.")
    int window = DEFAULTS.calibrationWindow();

    @Option(names = "--recalibrate-every", paramLabel = "BATCHES",
            description = "Batches between calibrations (the trainer's publish.every.steps). Default: ${DEFAULT-VALUE}.")
    int recalibrateEvery = DEFAULTS.publishEverySteps();

    @Option(names = "--warmup", paramLabel = "N",
            description = "No alerts before the model has learnt this many images (warmup.examples). "
                    + "Default: ${DEFAULT-VALUE}.")
    long warmup = DEFAULTS.warmupExamples();

    @Option(names = "--metric", paramLabel = "METRIC", converter = ModelOptions.MetricConverter.class,
            description = "Error metric the alerts use: mse, mae or bce (model.metric). Default: bce.")
    ErrorMetric metric = DEFAULTS.metric();

    @Option(names = "--skip-anomalies", paramLabel = "true|false", arity = "1",
            description = "Do not learn flagged images (train.skip.anomalies). Default: ${DEFAULT-VALUE}.")
    boolean skipAnomalies = DEFAULTS.skipAnomalies();

    @Option(names = "--one-class-epochs", paramLabel = "N", defaultValue = "60",
            description = "Epochs each one-class model trains on its digit; 0 leaves the protocol out. "
                    + "Default: ${DEFAULT-VALUE}.")
    int oneClassEpochs;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the numbers to FILE as JSON.")
    Path json;

    /** One contamination level's replays, pooled. */
    private record Row(double rate, List<PrequentialEvaluation.Result> runs) {

        long sum(java.util.function.ToLongFunction<PrequentialEvaluation.Result> f) {
            return runs.stream().mapToLong(f).sum();
        }

        double mean(java.util.function.ToDoubleFunction<PrequentialEvaluation.Result> f) {
            return runs.stream().mapToDouble(f).filter(Double::isFinite).average().orElse(Double.NaN);
        }

        Auroc.Confusion alerts() {
            long caught = sum(PrequentialEvaluation.Result::caught);
            long falseAlarms = sum(PrequentialEvaluation.Result::falseAlarms);
            return new Auroc.Confusion(caught, falseAlarms, sum(PrequentialEvaluation.Result::normalJudged) - falseAlarms,
                    sum(PrequentialEvaluation.Result::anomaliesJudged) - caught);
        }

        double falseAlarmRate() {
            long normal = sum(PrequentialEvaluation.Result::normalJudged);
            return normal == 0 ? Double.NaN : (double) sum(PrequentialEvaluation.Result::falseAlarms) / normal;
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        validate(cmd);
        PrintWriter out = cmd.getOut();
        Datasets.Labelled digits = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        out.printf(Locale.ROOT, "alerts at a target false-alarm rate of %s: calibration window %s, recalibrated every %d "
                        + "batches, warm-up %s, flagged images %s; metric %s%n", percent(falseAlarmRate),
                Format.count(window), recalibrateEvery, Format.count(warmup), skipAnomalies ? "not learnt" : "learnt",
                metric.id());
        out.printf(Locale.ROOT, "replays of %s images (MNIST's %s training digits, cycled, with Fashion-MNIST injected), "
                        + "%d seed(s) from %d: %s, Adam lr %s, batch %d%n", Format.count(images),
                Format.count(digits.count()), seeds, model.seed, model.layers, model.learningRate, model.batchSize);
        out.flush();

        PrequentialEvaluation.Settings settings = new PrequentialEvaluation.Settings(model.batchSize, falseAlarmRate,
                window, recalibrateEvery, warmup, skipAnomalies);
        ProgressBar bar = ProgressBar.onConsole(out);
        List<Row> rows = new ArrayList<>();
        for (double rate : rates) {
            List<PrequentialEvaluation.Result> runs = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                long seed = model.seed + s;
                PrequentialStream stream = PrequentialStream.cycle(digits, fashion, rate, images, seed);
                long start = System.nanoTime();
                String label = String.format(Locale.ROOT, "%s contamination, seed %d", percent(rate), seed);
                runs.add(PrequentialEvaluation.run(model.newModel(metric, seed), stream, settings,
                        (done, total) -> bar.update(label, done, total, done / ((System.nanoTime() - start) / 1e9))));
            }
            rows.add(new Row(rate, runs));
        }
        bar.clear();
        printAlerts(out, rows);

        List<OneClassEvaluation.DigitResult> oneClass = List.of();
        if (oneClassEpochs > 0) {
            out.printf(Locale.ROOT, "%none-class protocol: per digit, a model trained %d epochs on that digit's training "
                    + "images only; held-out digits: that digit normal, the other nine anomalies%n", oneClassEpochs);
            out.flush();
            oneClass = OneClassEvaluation.run(Datasets.seedSplit(), model.layers, model.learningRate, model.batchSize,
                    oneClassEpochs, model.seed, r -> bar.update("one-class", r.digit() + 1, 10, Double.NaN));
            bar.clear();
            printOneClass(out, oneClass);
        }
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), toJson(rows, oneClass));
            out.println();
            out.println("wrote " + json.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }

    private void validate(CommandLine cmd) {
        model.validate(cmd);
        ModelOptions.requireFalseAlarmRate(cmd, falseAlarmRate);
        if (rates.isEmpty() || rates.stream().anyMatch(r -> !(r >= 0 && r < 0.5))) {
            throw new CommandLine.ParameterException(cmd, "--rates must be fractions in [0, 0.5), got " + rates);
        }
        ModelOptions.requireAtLeast(cmd, "--seeds", seeds, 1);
        ModelOptions.requireAtLeast(cmd, "--window", window, dev.streamae.model.CalibrationFit.MIN_ERRORS);
        ModelOptions.requireAtLeast(cmd, "--recalibrate-every", recalibrateEvery, 1);
        ModelOptions.requireAtLeast(cmd, "--warmup", warmup, 0);
        ModelOptions.requireAtLeast(cmd, "--one-class-epochs", oneClassEpochs, 0);
        if (images < warmup + 10L * model.batchSize) {
            throw new CommandLine.ParameterException(cmd, "--images " + images + " leaves too little after a warm-up of "
                    + warmup + ": raise --images or lower --warmup");
        }
    }

    private void printAlerts(PrintWriter out, List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "  %-13s  %-9s  %-6s  %-23s  %-6s  %-6s  %-9s  %-6s  %-9s  %-9s  %s%n", "contamination",
                "anomalies", "AUROC", "false-alarm rate (x tgt)", "alerts", "recall", "precision", "F1", "oracle F1",
                "F1/oracle", "est. contamination");
        for (Row row : rows) {
            Auroc.Confusion c = row.alerts();
            double far = row.falseAlarmRate();
            double oracle = row.mean(PrequentialEvaluation.Result::oracleF1);
            // Without anomalies every alert is a false alarm: recall, precision and F1 say nothing.
            boolean anomalies = c.truePositives() + c.falseNegatives() > 0;
            out.printf(Locale.ROOT, "  %-13s  %-9s  %-6s  %-23s  %-6s  %-6s  %-9s  %-6s  %-9s  %-9s  %s%n",
                    percent(row.rate()), Format.count(row.sum(PrequentialEvaluation.Result::anomaliesJudged)),
                    ratio3(row.mean(PrequentialEvaluation.Result::auroc)),
                    String.format(Locale.ROOT, "%s (%sx)", percent(far), times(far / falseAlarmRate)),
                    Format.count(c.truePositives() + c.falsePositives()), ratio3(anomalies ? c.recall() : Double.NaN),
                    ratio3(anomalies ? c.precision() : Double.NaN), ratio3(anomalies ? c.f1() : Double.NaN),
                    ratio3(oracle), times(c.f1() / oracle),
                    percent(row.mean(PrequentialEvaluation.Result::contamination)));
        }
        out.flush();
    }

    private static void printOneClass(PrintWriter out, List<OneClassEvaluation.DigitResult> results) {
        out.println();
        out.println("  digit  train  normal  anomalies  AUROC mse  AUROC mae  AUROC bce");
        for (OneClassEvaluation.DigitResult r : results) {
            out.printf(Locale.ROOT, "  %-5d  %-5d  %-6d  %-9d  %-9s  %-9s  %s%n", r.digit(), r.trainImages(), r.normal(),
                    r.anomalies(), ratio3(r.auroc().get(ErrorMetric.MSE)), ratio3(r.auroc().get(ErrorMetric.MAE)),
                    ratio3(r.auroc().get(ErrorMetric.BCE)));
        }
        out.printf(Locale.ROOT, "  %-34s  %-9s  %-9s  %s%n", "mean", ratio3(OneClassEvaluation.meanAuroc(results, ErrorMetric.MSE)),
                ratio3(OneClassEvaluation.meanAuroc(results, ErrorMetric.MAE)),
                ratio3(OneClassEvaluation.meanAuroc(results, ErrorMetric.BCE)));
        out.flush();
    }

    private Map<String, Object> toJson(List<Row> rows, List<OneClassEvaluation.DigitResult> oneClass) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("layers", model.layers.toString());
        settings.put("learningRate", model.learningRate);
        settings.put("batchSize", model.batchSize);
        settings.put("seed", model.seed);
        settings.put("seeds", seeds);
        settings.put("images", images);
        settings.put("falseAlarmRate", falseAlarmRate);
        settings.put("window", window);
        settings.put("recalibrateEvery", recalibrateEvery);
        settings.put("warmup", warmup);
        settings.put("metric", metric.id());
        settings.put("skipAnomalies", skipAnomalies);
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Row row : rows) {
            Auroc.Confusion c = row.alerts();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("contamination", row.rate());
            r.put("normalJudged", row.sum(PrequentialEvaluation.Result::normalJudged));
            r.put("falseAlarms", c.falsePositives());
            r.put("falseAlarmRate", finiteOrNull(row.falseAlarmRate()));
            r.put("anomaliesJudged", row.sum(PrequentialEvaluation.Result::anomaliesJudged));
            r.put("caught", c.truePositives());
            boolean anomalies = c.truePositives() + c.falseNegatives() > 0;
            r.put("recall", anomalies ? finiteOrNull(c.recall()) : null);
            r.put("precision", anomalies ? finiteOrNull(c.precision()) : null);
            r.put("f1", anomalies ? finiteOrNull(c.f1()) : null);
            r.put("oracleF1", finiteOrNull(row.mean(PrequentialEvaluation.Result::oracleF1)));
            r.put("auroc", finiteOrNull(row.mean(PrequentialEvaluation.Result::auroc)));
            r.put("estimatedContamination", finiteOrNull(row.mean(PrequentialEvaluation.Result::contamination)));
            r.put("skipped", row.sum(PrequentialEvaluation.Result::skipped));
            alerts.add(r);
        }
        List<Map<String, Object>> digits = new ArrayList<>();
        for (OneClassEvaluation.DigitResult d : oneClass) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("digit", d.digit());
            r.put("trainImages", d.trainImages());
            r.put("normal", d.normal());
            r.put("anomalies", d.anomalies());
            d.auroc().forEach((m, v) -> r.put("auroc" + m.id().toUpperCase(Locale.ROOT), v));
            digits.add(r);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("alerts", alerts);
        if (!oneClass.isEmpty()) {
            Map<String, Object> mean = new LinkedHashMap<>();
            for (ErrorMetric m : ErrorMetric.values()) {
                mean.put(m.id(), OneClassEvaluation.meanAuroc(oneClass, m));
            }
            root.put("oneClass", Map.of("epochs", oneClassEpochs, "digits", digits, "meanAuroc", mean));
        }
        return root;
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f%%", 100 * fraction) : "-";
    }

    private static String ratio3(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "-";
    }

    private static String times(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "-";
    }

    /** JSON has no NaN: an undefined ratio is null. */
    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
