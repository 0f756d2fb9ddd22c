package dev.streamae.cli;

import dev.streamae.model.Auroc;
import dev.streamae.model.PrequentialEvaluation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** Replays of one configuration with different seeds, their counts pooled (as the evaluate tables show them). */
record Pooled(List<PrequentialEvaluation.Result> runs) {

    long sum(ToLongFunction<PrequentialEvaluation.Result> f) {
        return runs.stream().mapToLong(f).sum();
    }

    /** The mean over the runs where it is defined. */
    double mean(ToDoubleFunction<PrequentialEvaluation.Result> f) {
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

    /** Whether any anomaly was judged: without one, recall, precision and F1 say nothing. */
    boolean anomalies() {
        return sum(PrequentialEvaluation.Result::anomaliesJudged) > 0;
    }

    long driftEvents() {
        return sum(r -> r.events().size());
    }

    /** The pooled counts and the ratios of the alerts, for {@code --json}. */
    Map<String, Object> toJson() {
        Auroc.Confusion c = alerts();
        boolean anomalies = anomalies();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("normalJudged", sum(PrequentialEvaluation.Result::normalJudged));
        r.put("falseAlarms", c.falsePositives());
        r.put("falseAlarmRate", Format.finiteOrNull(falseAlarmRate()));
        r.put("anomaliesJudged", sum(PrequentialEvaluation.Result::anomaliesJudged));
        r.put("caught", c.truePositives());
        r.put("recall", anomalies ? Format.finiteOrNull(c.recall()) : null);
        r.put("precision", anomalies ? Format.finiteOrNull(c.precision()) : null);
        r.put("f1", anomalies ? Format.finiteOrNull(c.f1()) : null);
        r.put("oracleF1", Format.finiteOrNull(mean(PrequentialEvaluation.Result::oracleF1)));
        r.put("auroc", Format.finiteOrNull(mean(PrequentialEvaluation.Result::auroc)));
        r.put("estimatedContamination", Format.finiteOrNull(mean(PrequentialEvaluation.Result::contamination)));
        r.put("skipped", sum(PrequentialEvaluation.Result::skipped));
        r.put("driftEvents", driftEvents());
        return r;
    }
}
