package dev.streamae.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The text tables {@code streamae bench} prints: measures with their runs and deltas, then the checks. */
public final class ReportTable {

    private ReportTable() {
    }

    public static String render(BenchReport report) {
        StringBuilder sb = new StringBuilder();
        BenchReport.Machine m = report.machine();
        sb.append(String.format(Locale.ROOT, "StreamAE bench, %s: %d cores, load average %s -> %s, %s%n",
                report.startedAt(), m.cores(), load(m.loadBefore()), load(m.loadAfter()), m.java()));
        sb.append("settings: ").append(report.settings().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        report.torchSetups().forEach(t -> sb.append("PyTorch reference: ").append(t.describe()).append('\n'));
        if (report.previous() != null) {
            sb.append("compared with the previous run of ").append(report.previous().startedAt()).append('\n');
        }
        sb.append('\n');
        int labelWidth = Math.max(7, report.measures().stream().mapToInt(x -> x.label().length()).max().orElse(0));
        String row = "%-" + labelWidth + "s  %16s  %-30s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "measure", "median", "runs", report.previous() == null ? "" : "vs previous"));
        for (Measure x : report.measures()) {
            String runs = x.runs().stream().map(v -> x.unit().equals("x") ? value(v, "x") : number(v))
                    .collect(Collectors.joining(" / "));
            sb.append(String.format(Locale.ROOT, row, x.label(), value(x.median(), x.unit()), runs,
                    delta(report.delta(x), x.higherIsBetter())));
        }
        sb.append('\n');
        List<Check> checks = report.checks();
        int nameWidth = Math.max(5, checks.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        String checkRow = "%-" + nameWidth + "s  %12s  %12s  %s%n";
        sb.append(String.format(Locale.ROOT, checkRow, "check", "value", "target", "result"));
        for (Check c : checks) {
            String target = c.isTarget() ? c.bound() + " " + value(c.limit(), c.unit()) : "";
            String result = switch (c.status()) {
                case PASS -> "pass";
                case FAIL -> "FAIL";
                case SKIPPED -> "not measured";
                case INFO -> "";
                case NO_VERDICT -> "no verdict (see the notes)";
            };
            sb.append(String.format(Locale.ROOT, checkRow, c.name(),
                    c.value() == null ? "-" : value(c.value(), c.unit()), target, result).stripTrailing()).append('\n');
        }
        if (!report.notes().isEmpty()) {
            sb.append('\n');
            report.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        }
        return sb.toString();
    }

    /** Counts with thousands separators and whole numbers without decimals; other small values with a decimal. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String value(double v, String unit) {
        return unit.equals("x") && !Double.isNaN(v) ? String.format(Locale.ROOT, "%.2fx", v) : number(v) + " " + unit;
    }

    /** "+3.1%" with a marker when the change is for the worse. */
    static String delta(Double d, boolean higherIsBetter) {
        if (d == null) {
            return "";
        }
        boolean worse = higherIsBetter ? d < 0 : d > 0;
        return String.format(Locale.ROOT, "%+.1f%%%s", d * 100, worse && Math.abs(d) >= 0.05 ? " (worse)" : "");
    }

    private static String load(double v) {
        return v < 0 ? "?" : String.format(Locale.ROOT, "%.2f", v);
    }
}
