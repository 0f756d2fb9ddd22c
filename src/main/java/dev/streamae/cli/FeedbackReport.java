package dev.streamae.cli;

import dev.streamae.image.Datasets;
import dev.streamae.model.Auroc;
import dev.streamae.model.PrequentialEvaluation;
import dev.streamae.model.PrequentialStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The feedback table of {@code streamae evaluate}: the same streams and model seeds replayed
 * without an operator and with one who answers a share of the alerts, and the difference.
 *
 * <p>The stream: MNIST digits with images of one Fashion-MNIST class injected (dresses by
 * default). Dresses are the class whose errors pile up just above the digits' own tail (measured:
 * the highest false-alarm rate and the lowest precision of the ten classes), which is where an
 * operator's verdicts carry information the calibration lacks. Anomalies that resemble normal
 * images more closely (a held-out digit class, mirrored or upside-down digits) are learnt as
 * normal by the model once they pass unflagged, so alerts on them stay near chance with or
 * without verdicts: verdicts only ever come on alerts.
 */
final class FeedbackReport {

    private final String anomalies;
    private final double anomalyRate;
    private final int images;
    private final PrequentialEvaluation.Operator operatorSettings;
    private final double target;
    private final Pooled without;
    private final Pooled with;

    private FeedbackReport(String anomalies, double anomalyRate, int images, PrequentialEvaluation.Operator operator,
                           double target, Pooled without, Pooled with) {
        this.anomalies = anomalies;
        this.anomalyRate = anomalyRate;
        this.images = images;
        this.operatorSettings = operator;
        this.target = target;
        this.without = without;
        this.with = with;
    }

    /**
     * @param fashionClass the Fashion-MNIST class injected as anomalies
     * @param share the share of alerts answered
     * @param delayBatches batches before a verdict enters
     */
    static FeedbackReport run(int fashionClass, double anomalyRate, int images, double share, int delayBatches,
                              long firstSeed, int seeds, PrequentialEvaluation.Settings settings,
                              DriftReport.Replayer replayer) {
        Datasets.Labelled digits = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        String name = Datasets.fashionClass(fashionClass);
        Datasets.Labelled anomalies = fashion.filter(i -> fashion.labels()[i] == fashionClass, "fashion-" + name);
        List<PrequentialEvaluation.Result> without = new ArrayList<>();
        List<PrequentialEvaluation.Result> with = new ArrayList<>();
        PrequentialEvaluation.Operator operator = null;
        for (int s = 0; s < seeds; s++) {
            long seed = firstSeed + s;
            PrequentialStream stream = PrequentialStream.cycle(digits, anomalies, anomalyRate, images, seed);
            without.add(replayer.run(String.format(Locale.ROOT, "%s, no feedback, seed %d", name, seed), stream,
                    settings, PrequentialEvaluation.Operator.NONE, seed));
            operator = new PrequentialEvaluation.Operator(share, delayBatches, seed);
            with.add(replayer.run(String.format(Locale.ROOT, "%s, feedback on %s, seed %d", name,
                    Format.percent(share), seed), stream, settings, operator, seed));
        }
        return new FeedbackReport(name, anomalyRate, images, operator, settings.falseAlarmRate(), new Pooled(without),
                new Pooled(with));
    }

    void print(PrintWriter out) {
        out.printf(Locale.ROOT, "%nfeedback: Fashion-MNIST %s images among MNIST digits at %s, %s images per replay, %d "
                        + "seed(s); an operator answers %s of the alerts, each verdict entering the batch %d batches "
                        + "later%n", anomalies, Format.percent(anomalyRate), Format.count(images), with.runs().size(),
                Format.percent(operatorSettings.share()), operatorSettings.delayBatches());
        out.printf(Locale.ROOT, "  %-16s  %-6s  %-17s  %-9s  %-6s  %-23s  %-6s  %s%n", "operator", "alerts",
                "verdicts (normal)", "precision", "recall", "false-alarm rate (x tgt)", "F1", "est. contamination");
        line(out, "none", without);
        line(out, "answers " + Format.percent(operatorSettings.share()), with);
        Auroc.Confusion a = without.alerts();
        Auroc.Confusion b = with.alerts();
        out.printf(Locale.ROOT, "  %-16s  %-6s  %-17s  %-9s  %-6s  %-23s  %-6s%n", "lift", "", "",
                signed(b.precision() - a.precision()), signed(b.recall() - a.recall()),
                String.format(Locale.ROOT, "%sx", Format.decimals(with.falseAlarmRate() / without.falseAlarmRate(), 2)),
                signed(b.f1() - a.f1()));
        out.flush();
    }

    private void line(PrintWriter out, String operator, Pooled pooled) {
        Auroc.Confusion c = pooled.alerts();
        long normal = pooled.sum(PrequentialEvaluation.Result::verdictsNormal);
        long verdicts = normal + pooled.sum(PrequentialEvaluation.Result::verdictsAnomaly);
        out.printf(Locale.ROOT, "  %-16s  %-6s  %-17s  %-9s  %-6s  %-23s  %-6s  %s%n", operator,
                Format.count(c.truePositives() + c.falsePositives()),
                String.format(Locale.ROOT, "%s (%s)", Format.count(verdicts), Format.count(normal)),
                Format.decimals(c.precision(), 3), Format.decimals(c.recall(), 3),
                String.format(Locale.ROOT, "%s (%sx)", Format.percent(pooled.falseAlarmRate()),
                        Format.decimals(pooled.falseAlarmRate() / target, 2)),
                Format.decimals(c.f1(), 3), Format.percent(pooled.mean(PrequentialEvaluation.Result::contamination)));
    }

    private static String signed(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%+.3f", value) : "-";
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("anomalies", "fashion-" + anomalies);
        m.put("anomalyRate", anomalyRate);
        m.put("images", images);
        m.put("share", operatorSettings.share());
        m.put("delayBatches", operatorSettings.delayBatches());
        Map<String, Object> none = without.toJson();
        Map<String, Object> answered = with.toJson();
        answered.put("verdictsNormal", with.sum(PrequentialEvaluation.Result::verdictsNormal));
        answered.put("verdictsAnomaly", with.sum(PrequentialEvaluation.Result::verdictsAnomaly));
        m.put("withoutFeedback", none);
        m.put("withFeedback", answered);
        Auroc.Confusion a = without.alerts();
        Auroc.Confusion b = with.alerts();
        m.put("precisionLift", Format.finiteOrNull(b.precision() - a.precision()));
        m.put("recallLift", Format.finiteOrNull(b.recall() - a.recall()));
        m.put("f1Lift", Format.finiteOrNull(b.f1() - a.f1()));
        return m;
    }
}
