package dev.streamae.cli;

import dev.streamae.model.Auroc;
import dev.streamae.streams.ScoreRecord;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * How well the alerts a run produced match the injected anomalies, judged the way
 * {@code streamae evaluate} judges them: the false-alarm rate on normal images against the target,
 * recall, precision and F1, beside the F1 of the best fixed threshold in hindsight (the oracle)
 * and the AUROC of the errors. Only scores with status READY count: before that, no alert can fire.
 *
 * @param ready scores with status READY
 * @param alerts their alerts against the injected anomalies
 * @param auroc AUROC of the errors, anomalies against normal images (NaN unless both occur)
 * @param oracleF1 the best F1 any fixed error threshold reaches on these scores (NaN without anomalies)
 * @param target the configured false-alarm rate
 */
record DetectionSummary(int ready, Auroc.Confusion alerts, double auroc, double oracleF1, double target) {

    static DetectionSummary of(Collection<ScoreRecord> scores, Predicate<ScoreRecord> injected, double target) {
        double[] normal = scores.stream().filter(s -> s.status() == ScoreRecord.Status.READY && !injected.test(s))
                .mapToDouble(ScoreRecord::error).toArray();
        double[] anomalous = scores.stream().filter(s -> s.status() == ScoreRecord.Status.READY && injected.test(s))
                .mapToDouble(ScoreRecord::error).toArray();
        long falseAlarms = scores.stream().filter(s -> s.anomaly() && !injected.test(s)).count();
        long caught = scores.stream().filter(s -> s.anomaly() && injected.test(s)).count();
        Auroc.Confusion alerts = new Auroc.Confusion(caught, falseAlarms, normal.length - falseAlarms,
                anomalous.length - caught);
        double auroc = normal.length == 0 || anomalous.length == 0 ? Double.NaN : Auroc.auroc(normal, anomalous);
        return new DetectionSummary(normal.length + anomalous.length, alerts, auroc, Auroc.bestF1(normal, anomalous),
                target);
    }

    /** Normal images flagged, of the normal images scored READY. */
    double falseAlarmRate() {
        return alerts.falsePositiveRate();
    }

    /** The report's lines for MNIST digits with Fashion-MNIST anomalies, each ending in a newline. */
    String lines() {
        return lines("MNIST", "Fashion");
    }

    /** The report's lines for a stream of {@code normal} images with {@code anomalies} injected. */
    String lines(String normal, String anomalies) {
        Auroc.Confusion c = alerts;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "scored after warm-up   %,d (%,d of them injected anomalies)%n", ready,
                c.truePositives() + c.falseNegatives()));
        sb.append(String.format(Locale.ROOT, "AUROC (error, %s vs %s)   %s%n", anomalies, normal, decimals(auroc, 4)));
        sb.append(String.format(Locale.ROOT, "false-alarm rate       %s of %s images (target %s: %sx)%n",
                percent(falseAlarmRate()), normal, percent(target), decimals(falseAlarmRate() / target, 2)));
        sb.append(String.format(Locale.ROOT, "alerts                 %,d: recall %s, precision %s, F1 %s (caught %,d, false %,d, "
                        + "missed %,d)%n", c.truePositives() + c.falsePositives(), decimals(c.recall(), 3),
                decimals(c.precision(), 3), decimals(c.f1(), 3), c.truePositives(), c.falsePositives(), c.falseNegatives()));
        sb.append(String.format(Locale.ROOT, "best fixed threshold   F1 %s in hindsight (the alerts reach %sx of it)%n",
                decimals(oracleF1, 3), decimals(c.f1() / oracleF1, 2)));
        return sb.toString();
    }

    /** Header of {@link #row}'s columns, after the row's leading {@code width}-wide name. */
    static String header(int width, String name) {
        return String.format(Locale.ROOT, "%-" + width + "s  %8s  %9s  %12s  %9s  %6s  %9s  %5s  %9s  %6s%n", name, "ready",
                "anomalies", "false alarms", "vs target", "recall", "precision", "F1", "oracle F1", "AUROC");
    }

    /** One table row: counts, false-alarm rate and its ratio to the target, recall, precision, F1, oracle F1, AUROC. */
    String row(int width, String name) {
        Auroc.Confusion c = alerts;
        return String.format(Locale.ROOT, "%-" + width + "s  %,8d  %,9d  %12s  %9s  %6s  %9s  %5s  %9s  %6s%n", name, ready,
                c.truePositives() + c.falseNegatives(), percent(falseAlarmRate()), times(falseAlarmRate() / target),
                decimals(c.recall(), 3), decimals(c.precision(), 3), decimals(c.f1(), 3), decimals(oracleF1, 3),
                decimals(auroc, 4));
    }

    private static String times(double ratio) {
        return Double.isFinite(ratio) ? decimals(ratio, 2) + "x" : "n/a";
    }

    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f%%", 100 * fraction) : "n/a";
    }

    private static String decimals(double value, int places) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + places + "f", value) : "n/a";
    }
}
