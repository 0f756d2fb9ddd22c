package dev.streamae.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.TrainingMetrics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the dashboard knows, aggregated from the topics and bounded by {@link DashboardLimits}: the
 * training series, per-second scoring counts, the newest latent codes, the latest alerts, the latest
 * model events (drift and policy) and the dead-letter count. The feed thread adds; the broadcaster {@linkplain #collect collects} once per
 * tick what is new since its last collection (and, when a page has just connected, everything).
 * Both happen under this object's lock, so a snapshot and the deltas that follow it never miss or
 * repeat a point.
 *
 * <p>Scoring counts are bucketed by {@code scoredAt} (the scorer's clock), not by when the dashboard
 * read them: a backlog read at start-up, or records that arrive in bursts as transactions commit,
 * still land in the second they were scored. A bucket that changes after it was sent is sent again
 * and replaces the page's copy.
 */
final class DashboardState {

    /** Seconds a rate bucket stays open before an empty one is filled with zero. */
    static final int LATENESS_SECONDS = 2;

    private final DashboardLimits limits;
    private final Series<Points.Training> training;
    private final Series<Points.Latent> latent;
    private final Series<ScoreRecord> alerts;
    private final Series<Points.Event> events;
    private final TreeMap<Long, int[]> rates = new TreeMap<>();
    private final Set<Long> touchedRates = new LinkedHashSet<>();
    private final Counters counters = new Counters();

    DashboardState(DashboardLimits limits) {
        this.limits = limits;
        this.training = new Series<>(limits.chartPoints());
        this.latent = new Series<>(limits.latentPoints());
        this.alerts = new Series<>(limits.alerts());
        this.events = new Series<>(limits.events());
    }

    /** Running totals since the dashboard started reading (mutable, guarded by the state's lock). */
    static final class Counters {
        long scored;
        long anomalies;
        long judged;
        long alerts;
        long deadLetters;
        String lastDeadLetterReason;
        long lastDeadLetterAt;
        long unreadable;
        long scorerModelVersion;
        long lastScoredAt;

        Totals copy() {
            return new Totals(scored, anomalies, judged, alerts, deadLetters, lastDeadLetterReason, lastDeadLetterAt,
                    unreadable, scorerModelVersion, lastScoredAt);
        }
    }

    /**
     * The totals as sent to the page.
     *
     * @param scored score records read
     * @param anomalies of which anomalous
     * @param judged of which scored by a model that raises alerts (status READY)
     * @param alerts alert records read
     * @param deadLetters records in the dead-letter queue (counted from its beginning)
     * @param lastDeadLetterReason the newest dead letter's reason header, if any
     * @param lastDeadLetterAt the newest dead letter's timestamp, epoch ms
     * @param unreadable records on the output topics the dashboard could not parse
     * @param scorerModelVersion newest model version seen in a score
     * @param lastScoredAt the newest score's time, epoch ms
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Totals(long scored, long anomalies, long judged, long alerts, long deadLetters, String lastDeadLetterReason,
                  long lastDeadLetterAt, long unreadable, long scorerModelVersion, long lastScoredAt) {
    }

    synchronized void addScore(ScoreRecord s) {
        boolean judged = s.status() == ScoreRecord.Status.READY;
        counters.scored++;
        counters.anomalies += s.anomaly() ? 1 : 0;
        counters.judged += judged ? 1 : 0;
        counters.scorerModelVersion = Math.max(counters.scorerModelVersion, s.modelVersion());
        counters.lastScoredAt = Math.max(counters.lastScoredAt, s.scoredAt());
        long second = Math.floorDiv(s.scoredAt(), 1000);
        if (rates.size() < limits.chartPoints() || second >= rates.firstKey()) {
            int[] bucket = rates.computeIfAbsent(second, k -> new int[3]);
            bucket[0]++;
            bucket[1] += s.anomaly() ? 1 : 0;
            bucket[2] += judged ? 1 : 0;
            touchedRates.add(second);
            trimRates();
        }
        if (s.code() != null && s.code().length > 0) {
            latent.add(Points.Latent.of(s.code(), s.label(), s.anomaly(), s.modelVersion()));
        }
    }

    synchronized void addAlert(ScoreRecord s) {
        counters.alerts++;
        alerts.add(s);
    }

    synchronized void addTraining(TrainingMetrics m) {
        training.add(Points.Training.of(m));
    }

    synchronized void addEvent(ModelEvent e) {
        events.add(Points.Event.of(e));
    }

    synchronized void addDeadLetter(String reason, long timestamp) {
        counters.deadLetters++;
        if (reason != null) {
            counters.lastDeadLetterReason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        }
        counters.lastDeadLetterAt = Math.max(counters.lastDeadLetterAt, timestamp);
    }

    synchronized void addUnreadable() {
        counters.unreadable++;
    }

    synchronized int latentSize() {
        return latent.size();
    }

    /** Where the broadcaster's last collection ended, per series. */
    record Cursor(long training, long latent, long alerts, long events) {
        static final Cursor START = new Cursor(0, 0, 0, 0);
    }

    /**
     * What changed since {@code cursor}, and everything kept when {@code full}.
     *
     * @param training new training points
     * @param rates rate buckets new or changed since the last collection
     * @param latent new latent points
     * @param alerts new alerts (score records; the broadcaster renders them)
     * @param events new model events
     * @param totals running totals
     * @param next the cursor for the next collection
     * @param all everything kept, or null unless asked for
     */
    record Collected(List<Points.Training> training, List<Points.Rate> rates, List<Points.Latent> latent,
                     List<ScoreRecord> alerts, List<Points.Event> events, Totals totals, Cursor next, All all) {
    }

    /** The full contents, for a page that has just connected. */
    record All(List<Points.Training> training, List<Points.Rate> rates, List<Points.Latent> latent,
               List<Points.Event> events) {
    }

    synchronized Collected collect(long nowMillis, Cursor cursor, boolean full) {
        fillIdleSeconds(Math.floorDiv(nowMillis, 1000) - LATENESS_SECONDS);
        List<Points.Rate> changed = new ArrayList<>(touchedRates.size());
        for (Long second : touchedRates) {
            int[] b = rates.get(second);
            if (b != null) {
                changed.add(new Points.Rate(second, b[0], b[1], b[2]));
            }
        }
        touchedRates.clear();
        All all = null;
        if (full) {
            List<Points.Rate> allRates = new ArrayList<>(rates.size());
            rates.forEach((second, b) -> allRates.add(new Points.Rate(second, b[0], b[1], b[2])));
            all = new All(training.all(), allRates, latent.all(), events.all());
        }
        return new Collected(training.after(cursor.training()), changed, latent.after(cursor.latent()),
                alerts.after(cursor.alerts()), events.after(cursor.events()), counters.copy(),
                new Cursor(training.lastSeq(), latent.lastSeq(), alerts.lastSeq(), events.lastSeq()), all);
    }

    /** Seconds without a single score are zero, not gaps: an idle scorer shows as 0 images/s. */
    private void fillIdleSeconds(long upTo) {
        if (rates.isEmpty()) {
            return;
        }
        long from = Math.max(rates.lastKey() + 1, upTo - limits.chartPoints() + 1);
        for (long s = from; s <= upTo; s++) {
            rates.put(s, new int[3]);
            touchedRates.add(s);
        }
        trimRates();
    }

    private void trimRates() {
        while (rates.size() > limits.chartPoints()) {
            Map.Entry<Long, int[]> first = rates.pollFirstEntry();
            touchedRates.remove(first.getKey());
        }
    }
}
