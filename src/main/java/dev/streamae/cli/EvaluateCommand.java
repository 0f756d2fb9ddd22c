package dev.streamae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamae.image.Datasets;
import dev.streamae.model.Auroc;
import dev.streamae.model.DriftPolicy;
import dev.streamae.model.DriftScenario;
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
                "Drift (--drift-scenarios, --drift-policies): streams whose normal changes for good at image "
                        + "--drift-at, replayed under each drift.policy: where the detector suspected and confirmed "
                        + "the change or held learning, and the false-alarm rate on the new normal in blocks of 1,000 "
                        + "images after it.",
                "Feedback (--feedback-share): MNIST digits with one Fashion-MNIST class injected "
                        + "(--feedback-anomalies, dresses by default: they look most like digits to the model), "
                        + "replayed without and with a simulated operator who answers a share of the alerts with "
                        + "the true label, each verdict entering the trainer's batches --feedback-delay batches later.",
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

    @Option(names = "--images", paramLabel = "N", defaultValue = "60000",
            description = "Images per replay of the contamination and feedback tables (the digits repeat every "
                    + "8,000). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--drift-scenarios", paramLabel = "NAME[,NAME...]", split = ",",
            defaultValue = "digits-0-4-to-5-9,digits-to-fashion",
            description = "Drift scenarios: digits-0-4-to-5-9 (MNIST digits 0-4, then 5-9, Fashion-MNIST anomalies), "
                    + "digits-to-fashion (MNIST digits, then Fashion-MNIST; anomalies the other set), or none. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> driftScenarios;

    @Option(names = "--drift-policies", paramLabel = "POLICY[,POLICY]", split = ",", defaultValue = "adapt,hold",
            description = "drift.policy values each scenario is replayed under: adapt, hold. Default: ${DEFAULT-VALUE}.")
    List<String> driftPolicies;

    @Option(names = "--drift-at", paramLabel = "N", defaultValue = "20000",
            description = "Image at which the normal changes. Default: ${DEFAULT-VALUE}.")
    int driftAt;

    @Option(names = "--drift-after", paramLabel = "N", defaultValue = "15000",
            description = "Images after the change. Default: ${DEFAULT-VALUE}.")
    int driftAfter;

    @Option(names = "--drift-anomaly-rate", paramLabel = "RATE", defaultValue = "0.03",
            description = "Anomalies injected throughout the drift scenarios, in [0, 0.5). Default: ${DEFAULT-VALUE}.")
    double driftAnomalyRate;

    @Option(names = "--feedback-share", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "Share of the alerts the simulated operator answers, in [0, 1]; 0 leaves the feedback "
                    + "table out. Default: ${DEFAULT-VALUE}.")
    double feedbackShare;

    @Option(names = "--feedback-delay", paramLabel = "BATCHES", defaultValue = "5",
            description = "Batches between an alert and the batch its verdict enters. Default: ${DEFAULT-VALUE}.")
    int feedbackDelay;

    @Option(names = "--feedback-anomalies", paramLabel = "CLASS", defaultValue = "dress",
            description = "Fashion-MNIST class injected as anomalies in the feedback stream: t-shirt, trouser, "
                    + "pullover, dress, coat, sandal, shirt, sneaker, bag or ankle-boot. Default: ${DEFAULT-VALUE}.")
    String feedbackAnomalies;

    @Option(names = "--feedback-anomaly-rate", paramLabel = "RATE", defaultValue = "0.03",
            description = "Anomalies injected into the feedback stream, in (0, 0.5). Default: ${DEFAULT-VALUE}.")
    double feedbackAnomalyRate;

    @Option(names = "--one-class-epochs", paramLabel = "N", defaultValue = "60",
            description = "Epochs each one-class model trains on its digit; 0 leaves the protocol out. "
                    + "Default: ${DEFAULT-VALUE}.")
    int oneClassEpochs;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the numbers to FILE as JSON.")
    Path json;

    /** One contamination level's replays, pooled. */
    private record Row(double rate, Pooled pooled) {
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        validate(cmd);
        PrintWriter out = cmd.getOut();
        Datasets.Labelled digits = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        out.printf(Locale.ROOT, "alerts at a target false-alarm rate of %s: calibration window %s, recalibrated every %d "
                        + "batches, warm-up %s, flagged images %s; metric %s%n", Format.percent(falseAlarmRate),
                Format.count(window), recalibrateEvery, Format.count(warmup), skipAnomalies ? "not learnt" : "learnt",
                metric.id());
        out.printf(Locale.ROOT, "replays of %s images (MNIST's %s training digits, cycled, with Fashion-MNIST injected), "
                        + "%d seed(s) from %d: %s, Adam lr %s, batch %d; drift.policy %s%n", Format.count(images),
                Format.count(digits.count()), seeds, model.seed, model.layers, model.learningRate, model.batchSize,
                DEFAULTS.driftPolicy().id());
        out.flush();

        PrequentialEvaluation.Settings settings = new PrequentialEvaluation.Settings(model.batchSize, falseAlarmRate,
                window, recalibrateEvery, warmup, skipAnomalies, DEFAULTS.driftPolicy());
        ProgressBar bar = ProgressBar.onConsole(out);
        DriftReport.Replayer replayer = (label, stream, s, operator, seed) -> {
            long start = System.nanoTime();
            return PrequentialEvaluation.run(model.newModel(metric, seed), stream, s, operator,
                    (done, total) -> bar.update(label, done, total, done / ((System.nanoTime() - start) / 1e9)));
        };
        List<Row> rows = new ArrayList<>();
        for (double rate : rates) {
            List<PrequentialEvaluation.Result> runs = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                long seed = model.seed + s;
                runs.add(replayer.run(String.format(Locale.ROOT, "%s contamination, seed %d", Format.percent(rate), seed),
                        PrequentialStream.cycle(digits, fashion, rate, images, seed), settings,
                        PrequentialEvaluation.Operator.NONE, seed));
            }
            rows.add(new Row(rate, new Pooled(runs)));
        }
        bar.clear();
        printAlerts(out, rows);

        DriftReport drift = null;
        if (!scenarios().isEmpty()) {
            drift = DriftReport.run(scenarios(), policies(), driftAt, driftAfter, driftAnomalyRate, model.seed, seeds,
                    settings, replayer);
            bar.clear();
            drift.print(out);
        }
        FeedbackReport feedback = null;
        if (feedbackShare > 0) {
            feedback = FeedbackReport.run(fashionClass(), feedbackAnomalyRate, images, feedbackShare, feedbackDelay,
                    model.seed, seeds, settings, replayer);
            bar.clear();
            feedback.print(out);
        }

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
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(),
                    toJson(rows, drift, feedback, oneClass));
            out.println();
            out.println("wrote " + json.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }

    /** The scenarios asked for, in order; none for {@code --drift-scenarios none}. */
    private List<DriftScenario> scenarios() {
        if (driftScenarios.size() == 1 && driftScenarios.get(0).trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        try {
            return driftScenarios.stream().map(DriftScenario::of).distinct().toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--drift-scenarios: " + e.getMessage() + ", or none", e);
        }
    }

    private List<DriftPolicy> policies() {
        try {
            return driftPolicies.stream().map(DriftPolicy::of).distinct().toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--drift-policies must be adapt, hold or both, got "
                    + String.join(",", driftPolicies), e);
        }
    }

    /** The Fashion-MNIST label of {@code --feedback-anomalies}. */
    private int fashionClass() {
        for (int label = 0; label < 10; label++) {
            if (Datasets.fashionClass(label).equalsIgnoreCase(feedbackAnomalies.trim())) {
                return label;
            }
        }
        throw new IllegalArgumentException("--feedback-anomalies must be a Fashion-MNIST class (t-shirt, trouser, "
                + "pullover, dress, coat, sandal, shirt, sneaker, bag, ankle-boot), got " + feedbackAnomalies);
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
        try {
            scenarios();
            policies();
            fashionClass();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        if (driftAt < warmup + 10L * model.batchSize) {
            throw new CommandLine.ParameterException(cmd, "--drift-at " + driftAt + " leaves too little before the "
                    + "change after a warm-up of " + warmup + ": raise --drift-at or lower --warmup");
        }
        ModelOptions.requireAtLeast(cmd, "--drift-after", driftAfter, DriftReport.BLOCK);
        if (!(driftAnomalyRate >= 0 && driftAnomalyRate < 0.5)) {
            throw new CommandLine.ParameterException(cmd, "--drift-anomaly-rate must be in [0, 0.5), got "
                    + driftAnomalyRate);
        }
        if (!(feedbackShare >= 0 && feedbackShare <= 1)) {
            throw new CommandLine.ParameterException(cmd, "--feedback-share must be in [0, 1], got " + feedbackShare);
        }
        ModelOptions.requireAtLeast(cmd, "--feedback-delay", feedbackDelay, 1);
        if (!(feedbackAnomalyRate > 0 && feedbackAnomalyRate < 0.5)) {
            throw new CommandLine.ParameterException(cmd, "--feedback-anomaly-rate must be in (0, 0.5), got "
                    + feedbackAnomalyRate);
        }
    }

    private void printAlerts(PrintWriter out, List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "  %-13s  %-9s  %-6s  %-23s  %-6s  %-6s  %-9s  %-6s  %-9s  %-9s  %-18s  %s%n",
                "contamination", "anomalies", "AUROC", "false-alarm rate (x tgt)", "alerts", "recall", "precision", "F1",
                "oracle F1", "F1/oracle", "est. contamination", "drift events");
        for (Row row : rows) {
            Pooled p = row.pooled();
            Auroc.Confusion c = p.alerts();
            double far = p.falseAlarmRate();
            double oracle = p.mean(PrequentialEvaluation.Result::oracleF1);
            // Without anomalies every alert is a false alarm: recall, precision and F1 say nothing.
            boolean anomalies = p.anomalies();
            out.printf(Locale.ROOT, "  %-13s  %-9s  %-6s  %-23s  %-6s  %-6s  %-9s  %-6s  %-9s  %-9s  %-18s  %d%n",
                    Format.percent(row.rate()), Format.count(p.sum(PrequentialEvaluation.Result::anomaliesJudged)),
                    Format.decimals(p.mean(PrequentialEvaluation.Result::auroc), 3),
                    String.format(Locale.ROOT, "%s (%sx)", Format.percent(far), Format.decimals(far / falseAlarmRate, 2)),
                    Format.count(c.truePositives() + c.falsePositives()),
                    Format.decimals(anomalies ? c.recall() : Double.NaN, 3),
                    Format.decimals(anomalies ? c.precision() : Double.NaN, 3),
                    Format.decimals(anomalies ? c.f1() : Double.NaN, 3), Format.decimals(oracle, 3),
                    Format.decimals(c.f1() / oracle, 2),
                    Format.percent(p.mean(PrequentialEvaluation.Result::contamination)), p.driftEvents());
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

    private static String ratio3(double value) {
        return Format.decimals(value, 3);
    }

    private Map<String, Object> toJson(List<Row> rows, DriftReport drift, FeedbackReport feedback,
                                       List<OneClassEvaluation.DigitResult> oneClass) {
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
        settings.put("driftPolicy", DEFAULTS.driftPolicy().id());
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("contamination", row.rate());
            r.putAll(row.pooled().toJson());
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
        if (drift != null) {
            root.put("drift", drift.toJson());
        }
        if (feedback != null) {
            root.put("feedback", feedback.toJson());
        }
        if (!oneClass.isEmpty()) {
            Map<String, Object> mean = new LinkedHashMap<>();
            for (ErrorMetric m : ErrorMetric.values()) {
                mean.put(m.id(), OneClassEvaluation.meanAuroc(oneClass, m));
            }
            root.put("oneClass", Map.of("epochs", oneClassEpochs, "digits", digits, "meanAuroc", mean));
        }
        return root;
    }
}
