package dev.streamae.cli;

import dev.streamae.image.Datasets;
import dev.streamae.model.DriftEvent;
import dev.streamae.model.DriftPolicy;
import dev.streamae.model.DriftScenario;
import dev.streamae.model.PrequentialEvaluation;
import dev.streamae.model.PrequentialStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drift tables of {@code streamae evaluate}: per scenario and policy, where the detector saw
 * the change (per seed), and the false-alarm rate on the new normal in blocks after it, pooled
 * over the seeds (pooling gives each block about three times the normal images, so that the
 * "under 2x" column is not decided by a single seed's handful of false alarms).
 */
final class DriftReport {

    /** Blocks the rate after a change is measured in. */
    static final int BLOCK = 1_000;
    /** The limit the rate after a change must come back under, as a multiple of the target. */
    static final double LIMIT = 2;

    /** Runs a replay, showing its progress. */
    interface Replayer {
        PrequentialEvaluation.Result run(String label, PrequentialStream stream, PrequentialEvaluation.Settings settings,
                                         PrequentialEvaluation.Operator operator, long seed);
    }

    /** One seed's replay of a scenario under a policy. */
    private record Run(long seed, PrequentialStream stream, PrequentialEvaluation.Result result) {
    }

    /** Every seed of a scenario under a policy. */
    private record Case(DriftScenario scenario, DriftPolicy policy, List<Run> runs) {
    }

    private final int changeAt;
    private final int after;
    private final double anomalyRate;
    private final double target;
    private final List<Case> cases = new ArrayList<>();

    private DriftReport(int changeAt, int after, double anomalyRate, double target) {
        this.changeAt = changeAt;
        this.after = after;
        this.anomalyRate = anomalyRate;
        this.target = target;
    }

    static DriftReport run(List<DriftScenario> scenarios, List<DriftPolicy> policies, int changeAt, int after,
                           double anomalyRate, long firstSeed, int seeds, PrequentialEvaluation.Settings settings,
                           Replayer replayer) {
        DriftReport report = new DriftReport(changeAt, after, anomalyRate, settings.falseAlarmRate());
        Datasets.Labelled digits = Datasets.mnistTrain();
        Datasets.Labelled fashion = Datasets.fashion();
        for (DriftScenario scenario : scenarios) {
            for (DriftPolicy policy : policies) {
                List<Run> runs = new ArrayList<>();
                for (int s = 0; s < seeds; s++) {
                    long seed = firstSeed + s;
                    PrequentialStream stream = scenario.stream(digits, fashion, changeAt, after, anomalyRate, seed);
                    String label = String.format(Locale.ROOT, "%s, %s, seed %d", scenario.id(), policy.id(), seed);
                    runs.add(new Run(seed, stream, replayer.run(label, stream, settings.withDriftPolicy(policy),
                            PrequentialEvaluation.Operator.NONE, seed)));
                }
                report.cases.add(new Case(scenario, policy, runs));
            }
        }
        return report;
    }

    /** Images from the change to the first event of this type at or after it, or -1. */
    private long delay(Run run, DriftEvent.Type type) {
        PrequentialEvaluation.PlacedEvent e = run.result().first(type, changeAt);
        return e == null ? -1 : e.position() - changeAt;
    }

    private long eventsBefore(Run run) {
        return run.result().events().stream().filter(e -> e.position() < changeAt).count();
    }

    /** Per block after the change, the counts of every seed pooled. */
    private List<DriftScenario.Block> pooledBlocks(Case c) {
        List<DriftScenario.Block> pooled = new ArrayList<>();
        for (Run run : c.runs()) {
            List<DriftScenario.Block> blocks = DriftScenario.blocks(run.result(), run.stream(), changeAt, BLOCK);
            for (int k = 0; k < blocks.size(); k++) {
                if (k == pooled.size()) {
                    pooled.add(blocks.get(k));
                } else {
                    pooled.set(k, pooled.get(k).plus(blocks.get(k)));
                }
            }
        }
        return pooled;
    }

    /** The alerts on the stream after learning was held, every seed pooled (null if it never was). */
    private DriftScenario.Block afterHold(Case c) {
        DriftScenario.Block total = null;
        for (Run run : c.runs()) {
            PrequentialEvaluation.PlacedEvent held = run.result().first(DriftEvent.Type.LEARNING_HELD, changeAt);
            if (held != null) {
                DriftScenario.Block b = DriftScenario.block(run.result(), run.stream(), held.position() + 1,
                        run.stream().size());
                total = total == null ? b : total.plus(b);
            }
        }
        return total;
    }

    void print(PrintWriter out) {
        for (DriftScenario scenario : cases.stream().map(Case::scenario).distinct().toList()) {
            List<Case> of = cases.stream().filter(c -> c.scenario() == scenario).toList();
            out.printf(Locale.ROOT, "%ndrift %s (%s): the change at image %s, %s images after it, %s anomalies%n",
                    scenario.id(), scenario.description(), Format.count(changeAt), Format.count(after),
                    Format.percent(anomalyRate));
            out.printf(Locale.ROOT, "  %-6s  %-4s  %-9s  %-9s  %-6s  %-13s  %s%n", "policy", "seed", "suspected",
                    "confirmed", "held", "change placed", "events (before the change)");
            for (Case c : of) {
                for (Run run : c.runs()) {
                    PrequentialEvaluation.PlacedEvent confirmed = run.result().first(DriftEvent.Type.DRIFT_CONFIRMED, changeAt);
                    out.printf(Locale.ROOT, "  %-6s  %-4d  %-9s  %-9s  %-6s  %-13s  %d (%d)%n", c.policy().id(), run.seed(),
                            after(delay(run, DriftEvent.Type.DRIFT_SUSPECTED)),
                            after(delay(run, DriftEvent.Type.DRIFT_CONFIRMED)),
                            after(delay(run, DriftEvent.Type.LEARNING_HELD)),
                            confirmed == null ? "-" : signed(confirmed.changePosition() - changeAt),
                            run.result().events().size(), eventsBefore(run));
                }
            }
            printBlocks(out, of);
        }
        out.flush();
    }

    private void printBlocks(PrintWriter out, List<Case> of) {
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-6s ", "policy"));
        int blocks = (after + BLOCK - 1) / BLOCK;
        for (int k = 1; k <= blocks; k++) {
            header.append(String.format(Locale.ROOT, " %5s", k + "k"));
        }
        out.printf(Locale.ROOT, "  false-alarm rate on the new normal, x target, per %s images after the change "
                + "(seeds pooled); under %sx from; alert rate after learning was held%n", Format.count(BLOCK),
                Format.decimals(LIMIT, 0));
        out.println(header.append("  under 2x  after hold"));
        for (Case c : of) {
            List<DriftScenario.Block> pooled = pooledBlocks(c);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-6s ", c.policy().id()));
            for (DriftScenario.Block b : pooled) {
                line.append(String.format(Locale.ROOT, " %5s", Format.decimals(b.falseAlarmRate() / target, 1)));
            }
            DriftScenario.Block held = afterHold(c);
            line.append(String.format(Locale.ROOT, "  %-8s  %s", underLimit(c),
                    held == null ? "-" : Format.percent(held.alertRate())));
            out.println(line);
        }
    }

    /**
     * Images after the change from which the pooled rate stays under the limit: "never", or "-"
     * under hold, where the old calibration keeps judging on purpose and every alert is wanted.
     */
    private String underLimit(Case c) {
        Long from = underLimitFrom(c);
        return c.policy() == DriftPolicy.HOLD ? "-" : from == null ? "never" : Format.count(from);
    }

    private Long underLimitFrom(Case c) {
        int under = DriftScenario.staysBelowFrom(pooledBlocks(c), LIMIT * target);
        return c.policy() == DriftPolicy.HOLD || under < 0 ? null : (long) under * BLOCK;
    }

    private static String after(long delay) {
        return delay < 0 ? "-" : "+" + Format.count(delay);
    }

    private static String signed(long value) {
        return (value < 0 ? "-" : "+") + Format.count(Math.abs(value));
    }

    List<Map<String, Object>> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", c.scenario().id());
            m.put("policy", c.policy().id());
            m.put("changeAt", changeAt);
            m.put("imagesAfter", after);
            m.put("anomalyRate", anomalyRate);
            List<Map<String, Object>> runs = new ArrayList<>();
            for (Run run : c.runs()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("seed", run.seed());
                r.put("suspectedAfter", nullIfNone(delay(run, DriftEvent.Type.DRIFT_SUSPECTED)));
                r.put("confirmedAfter", nullIfNone(delay(run, DriftEvent.Type.DRIFT_CONFIRMED)));
                r.put("heldAfter", nullIfNone(delay(run, DriftEvent.Type.LEARNING_HELD)));
                r.put("eventsBeforeChange", eventsBefore(run));
                List<Map<String, Object>> events = new ArrayList<>();
                for (PrequentialEvaluation.PlacedEvent e : run.result().events()) {
                    Map<String, Object> ev = new LinkedHashMap<>();
                    ev.put("type", e.type().name());
                    ev.put("position", e.position());
                    ev.put("changePosition", e.changePosition());
                    ev.put("imagesJudged", e.event().imagesJudged());
                    events.add(ev);
                }
                r.put("events", events);
                runs.add(r);
            }
            m.put("runs", runs);
            List<Map<String, Object>> blocks = new ArrayList<>();
            for (DriftScenario.Block b : pooledBlocks(c)) {
                Map<String, Object> bm = new LinkedHashMap<>();
                bm.put("normalJudged", b.normalJudged());
                bm.put("falseAlarms", b.normalFlagged());
                bm.put("falseAlarmRate", Format.finiteOrNull(b.falseAlarmRate()));
                bm.put("judged", b.judged());
                bm.put("alerts", b.flagged());
                blocks.add(bm);
            }
            m.put("blocksAfterChange", blocks);
            m.put("underTwiceTargetFrom", underLimitFrom(c));
            DriftScenario.Block held = afterHold(c);
            m.put("judgedAfterHold", held == null ? null : held.judged());
            m.put("alertsAfterHold", held == null ? null : held.flagged());
            m.put("alertRateAfterHold", held == null ? null : Format.finiteOrNull(held.alertRate()));
            out.add(m);
        }
        return out;
    }

    private static Long nullIfNone(long delay) {
        return delay < 0 ? null : delay;
    }
}
