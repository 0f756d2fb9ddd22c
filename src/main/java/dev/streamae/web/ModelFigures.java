package dev.streamae.web;

import dev.streamae.model.Snapshot;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.TrainingMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the dashboard keeps of one model, bounded by {@link DashboardLimits}: its training series,
 * per-second scoring counts, newest latent codes, latest alerts and model events, the ids of the
 * images it scored last (for the reconstruction grid), its running totals and its newest snapshot.
 * Not thread-safe: {@link DashboardState} guards it.
 *
 * <p>Scoring counts are bucketed by {@code scoredAt} (the scorer's clock), not by when the dashboard
 * read them: a backlog read at start-up, or records that arrive in bursts as transactions commit,
 * still land in the second they were scored. A bucket that changes after it was sent is sent again
 * and replaces the page's copy.
 */
final class ModelFigures {

    /** Seconds a rate bucket stays open before an empty one is filled with zero. */
    static final int LATENESS_SECONDS = 2;
    /** The overview's image rate is over this many closed seconds: steadier than the page's 3 s. */
    static final int RATE_SECONDS = 10;
    /** The overview's alert rate is over this many closed seconds, as the page's own. */
    static final int ALERT_RATE_SECONDS = 60;

    final String name;
    /** Tells this model's figures from those of an earlier holder of the same name that was dropped. */
    final long epoch;
    private final DashboardLimits limits;
    private final Series<Points.Training> training;
    private final Series<Points.Latent> latent;
    private final Series<ScoreRecord> alerts;
    private final Series<Points.Event> events;
    private final ArrayDeque<String> scoredIds = new ArrayDeque<>();
    private final TreeMap<Long, int[]> rates = new TreeMap<>();
    private final Set<Long> touchedRates = new LinkedHashSet<>();
    private long scored;
    private long anomalies;
    private long judged;
    private long alertCount;
    private long scorerModelVersion;
    private long lastScoredAt;
    private Snapshot snapshot;
    private long rejectedSnapshots;
    private long lastSeen;

    ModelFigures(String name, long epoch, DashboardLimits limits) {
        this.name = name;
        this.epoch = epoch;
        this.limits = limits;
        this.training = new Series<>(limits.chartPoints());
        this.latent = new Series<>(limits.latentPoints());
        this.alerts = new Series<>(limits.alerts());
        this.events = new Series<>(limits.events());
    }

    /** The newest time of any record of this model, epoch ms: the one idle longest is dropped first. */
    long lastSeen() {
        return lastSeen;
    }

    void seen(long time) {
        lastSeen = Math.max(lastSeen, time);
    }

    void addScore(ScoreRecord s) {
        boolean isJudged = s.status() == ScoreRecord.Status.READY;
        scored++;
        anomalies += s.anomaly() ? 1 : 0;
        judged += isJudged ? 1 : 0;
        scorerModelVersion = Math.max(scorerModelVersion, s.modelVersion());
        lastScoredAt = Math.max(lastScoredAt, s.scoredAt());
        long second = Math.floorDiv(s.scoredAt(), 1000);
        if (rates.size() < limits.chartPoints() || second >= rates.firstKey()) {
            int[] bucket = rates.computeIfAbsent(second, k -> new int[3]);
            bucket[0]++;
            bucket[1] += s.anomaly() ? 1 : 0;
            bucket[2] += isJudged ? 1 : 0;
            touchedRates.add(second);
            trimRates();
        }
        if (s.code() != null && s.code().length > 0) {
            latent.add(Points.Latent.of(s.code(), s.label(), s.anomaly(), s.modelVersion()));
        }
        if (s.id() != null) {
            scoredIds.addLast(s.id());
            // A few more than the grid shows: the newest ids' originals may not have been read (yet).
            while (scoredIds.size() > 4 * limits.gridImages()) {
                scoredIds.removeFirst();
            }
        }
    }

    void addAlert(ScoreRecord s) {
        alertCount++;
        alerts.add(s);
    }

    void addTraining(TrainingMetrics m) {
        training.add(Points.Training.of(m));
    }

    void addEvent(ModelEvent e) {
        events.add(Points.Event.of(e));
    }

    /** Keeps {@code s} unless it is older than the snapshot held (a scorer's rule too); false when refused. */
    boolean offer(Snapshot s) {
        if (snapshot != null && s.modelVersion() < snapshot.modelVersion()) {
            rejectedSnapshots++;
            return false;
        }
        snapshot = s;
        return true;
    }

    void rejectSnapshot() {
        rejectedSnapshots++;
    }

    int latentSize() {
        return latent.size();
    }

    /**
     * What changed since {@code cursor} (of this model's epoch), and everything kept when {@code full}
     * ({@code reset}: the page's copy belongs to another epoch or model and is to be replaced).
     */
    DashboardState.Collected collect(long nowMillis, DashboardState.Cursor cursor, boolean full, boolean reset,
                                      DashboardState.Totals totals) {
        fillIdleSeconds(Math.floorDiv(nowMillis, 1000) - LATENESS_SECONDS);
        List<Points.Rate> changed = new ArrayList<>(touchedRates.size());
        for (Long second : touchedRates) {
            int[] b = rates.get(second);
            if (b != null) {
                changed.add(new Points.Rate(second, b[0], b[1], b[2]));
            }
        }
        touchedRates.clear();
        DashboardState.All all = null;
        if (full) {
            List<Points.Rate> allRates = new ArrayList<>(rates.size());
            rates.forEach((second, b) -> allRates.add(new Points.Rate(second, b[0], b[1], b[2])));
            all = new DashboardState.All(training.all(), allRates, latent.all(), events.all());
        }
        return new DashboardState.Collected(name, reset, training.after(cursor.training()), changed,
                latent.after(cursor.latent()), alerts.after(cursor.alerts()), events.after(cursor.events()), totals,
                new DashboardState.Cursor(epoch, training.lastSeq(), latent.lastSeq(), alerts.lastSeq(), events.lastSeq()),
                all, snapshot, rejectedSnapshots, List.copyOf(scoredIds));
    }

    /** This model's running totals, with the deployment-wide ones of {@code global}. */
    DashboardState.Totals totals(DashboardState.Totals global) {
        return new DashboardState.Totals(scored, anomalies, judged, alertCount, global.deadLetters(),
                global.lastDeadLetterReason(), global.lastDeadLetterAt(), global.unreadable(), scorerModelVersion,
                lastScoredAt, global.models(), global.modelsDropped());
    }

    /**
     * This model's line in the overview: its newest version (the snapshot's, else the newest the
     * trainer or the scorer reported), images scored per second over the last {@value #RATE_SECONDS}
     * closed seconds, the share of alerts among the images an alerting model judged over the last
     * {@value #ALERT_RATE_SECONDS} closed seconds (null when none was judged), and the drift phase the
     * trainer last reported.
     */
    Messages.ModelRow row(long nowMillis) {
        long lastClosed = Math.floorDiv(nowMillis, 1000) - LATENESS_SECONDS;
        long scoredRecently = 0;
        for (int[] b : rates.subMap(lastClosed - RATE_SECONDS, false, lastClosed, true).values()) {
            scoredRecently += b[0];
        }
        long flagged = 0;
        long judgedRecently = 0;
        for (int[] b : rates.subMap(lastClosed - ALERT_RATE_SECONDS, false, lastClosed, true).values()) {
            flagged += b[1];
            judgedRecently += b[2];
        }
        Points.Training last = training.last();
        long version = snapshot != null ? snapshot.modelVersion()
                : Math.max(scorerModelVersion, last == null ? 0 : last.modelVersion());
        return new Messages.ModelRow(name, version, (double) scoredRecently / RATE_SECONDS,
                judgedRecently == 0 ? null : (double) flagged / judgedRecently, judgedRecently,
                last == null ? null : last.driftPhase(), lastSeen);
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
