package dev.streamae.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.TrainingMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard knows, aggregated from the topics and bounded by {@link DashboardLimits}: the
 * figures of each model ({@link ModelFigures}, by model name) and the deployment-wide counts (dead
 * letters, unreadable records). The feed thread adds; the broadcaster {@linkplain #collect collects},
 * once per tick and per model some page shows, what is new since its last collection (and, when a
 * page has just connected or switched models, everything). Both happen under this object's lock, so
 * a snapshot and the deltas that follow it never miss or repeat a point.
 *
 * <p>Models: at most {@link DashboardLimits#models()} are held; a record of a further model drops
 * the one whose newest record is oldest (never the configured default model), and the drops are
 * counted for the page. A model's figures carry an epoch, so that a page still showing a dropped
 * model (or one that returned under the same name) gets a fresh snapshot instead of deltas that
 * would not fit what it holds.
 */
final class DashboardState {

    private final DashboardLimits limits;
    private final String defaultModel;
    /** First seen first: "the first model seen" is the page's choice when the default model has none. */
    private final LinkedHashMap<String, ModelFigures> models = new LinkedHashMap<>();
    private long nextEpoch = 1;
    private long modelsDropped;
    private long deadLetters;
    private String lastDeadLetterReason;
    private long lastDeadLetterAt;
    private long unreadable;

    DashboardState(DashboardLimits limits, String defaultModel) {
        this.limits = limits;
        this.defaultModel = defaultModel;
    }

    /**
     * The totals as sent to the page: the shown model's, and the deployment's.
     *
     * @param scored score records of the model read
     * @param anomalies of which anomalous
     * @param judged of which scored by a model that raises alerts (status READY)
     * @param alerts alert records of the model read
     * @param deadLetters records in the dead-letter queue (counted from its beginning), of any model
     * @param lastDeadLetterReason the newest dead letter's reason header, if any
     * @param lastDeadLetterAt the newest dead letter's timestamp, epoch ms
     * @param unreadable records on the output topics the dashboard could not parse
     * @param scorerModelVersion newest model version seen in a score of the model
     * @param lastScoredAt the newest score's time, epoch ms
     * @param models models held now
     * @param modelsDropped models dropped as idle beyond {@link DashboardLimits#models()}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Totals(long scored, long anomalies, long judged, long alerts, long deadLetters, String lastDeadLetterReason,
                  long lastDeadLetterAt, long unreadable, long scorerModelVersion, long lastScoredAt, int models,
                  long modelsDropped) {
    }

    synchronized void addScore(ScoreRecord s) {
        figures(s.model(), s.scoredAt()).addScore(s);
    }

    synchronized void addAlert(ScoreRecord s) {
        figures(s.model(), s.scoredAt()).addAlert(s);
    }

    synchronized void addTraining(String model, TrainingMetrics m) {
        figures(model, m.timestamp()).addTraining(m);
    }

    synchronized void addEvent(String model, ModelEvent e) {
        figures(model, e.timestamp()).addEvent(e);
    }

    /** Offers a snapshot read (and checked) from {@code models}; false when it is older than the one held. */
    synchronized boolean addSnapshot(String model, Snapshot s) {
        return figures(model, s.createdAt().toEpochMilli()).offer(s);
    }

    /** A record on {@code models} that is no snapshot this dashboard accepts (garbage, bad signature, shape). */
    synchronized void rejectSnapshot(String model) {
        ModelFigures f = models.get(model);
        if (f != null) {
            f.rejectSnapshot();
        }
    }

    synchronized void addDeadLetter(String reason, long timestamp) {
        deadLetters++;
        if (reason != null) {
            lastDeadLetterReason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        }
        lastDeadLetterAt = Math.max(lastDeadLetterAt, timestamp);
    }

    synchronized void addUnreadable() {
        unreadable++;
    }

    /** Latent points held for the scatter of the model holding most (never more than the cap). */
    synchronized int latentSize() {
        return models.values().stream().mapToInt(ModelFigures::latentSize).max().orElse(0);
    }

    synchronized boolean has(String model) {
        return models.containsKey(model);
    }

    /** What a page shows when it asks for no model: the configured default if held, else the first seen. */
    synchronized String defaultShown() {
        return models.containsKey(defaultModel) || models.isEmpty() ? defaultModel : models.keySet().iterator().next();
    }

    /** Every model held, by name: the overview's lines. */
    synchronized List<Messages.ModelRow> overview(long nowMillis) {
        List<Messages.ModelRow> rows = new ArrayList<>(models.size());
        models.values().forEach(f -> rows.add(f.row(nowMillis)));
        rows.sort(Comparator.comparing(Messages.ModelRow::name));
        return rows;
    }

    /** Where the broadcaster's last collection of one model ended, per series, and of which epoch. */
    record Cursor(long epoch, long training, long latent, long alerts, long events) {
        static final Cursor START = new Cursor(0, 0, 0, 0, 0);
    }

    /**
     * What changed in one model since the cursor, and everything kept when asked or when {@code reset}.
     *
     * @param model the model's name
     * @param reset whether the page's copy is to be replaced ({@code all} is set): the cursor was of
     *     another epoch (the model was dropped, or first appeared, since)
     * @param training new training points
     * @param rates rate buckets new or changed since the last collection
     * @param latent new latent points
     * @param alerts new alerts (score records; the broadcaster renders them)
     * @param events new model events
     * @param totals running totals
     * @param next the cursor for the next collection
     * @param all everything kept, or null unless asked for or reset
     * @param snapshot the model's newest snapshot, or null
     * @param rejectedSnapshots snapshots of the model refused
     * @param scoredIds ids of the images the model scored last, oldest first
     */
    record Collected(String model, boolean reset, List<Points.Training> training, List<Points.Rate> rates,
                     List<Points.Latent> latent, List<ScoreRecord> alerts, List<Points.Event> events, Totals totals,
                     Cursor next, All all, Snapshot snapshot, long rejectedSnapshots, List<String> scoredIds) {
    }

    /** The full contents, for a page that has just connected. */
    record All(List<Points.Training> training, List<Points.Rate> rates, List<Points.Latent> latent,
               List<Points.Event> events) {
        static final All EMPTY = new All(List.of(), List.of(), List.of(), List.of());
    }

    synchronized Collected collect(String model, long nowMillis, Cursor cursor, boolean full) {
        Totals global = new Totals(0, 0, 0, 0, deadLetters, lastDeadLetterReason, lastDeadLetterAt, unreadable, 0, 0,
                models.size(), modelsDropped);
        ModelFigures f = models.get(model);
        if (f == null) {
            // A model with nothing held yet (or any more): empty figures, which replace the page's if it had some.
            boolean reset = cursor.epoch() != 0;
            return new Collected(model, reset, List.of(), List.of(), List.of(), List.of(), List.of(), global,
                    Cursor.START, full || reset ? All.EMPTY : null, null, 0, List.of());
        }
        boolean reset = cursor.epoch() != f.epoch;
        return f.collect(nowMillis, reset ? Cursor.START : cursor, full || reset, reset, f.totals(global));
    }

    private ModelFigures figures(String model, long time) {
        String name = model == null ? defaultModel : model;
        ModelFigures f = models.get(name);
        if (f == null) {
            if (models.size() >= limits.models()) {
                dropIdlest();
            }
            f = new ModelFigures(name, nextEpoch++, limits);
            models.put(name, f);
        }
        f.seen(time);
        return f;
    }

    private void dropIdlest() {
        ModelFigures idlest = null;
        for (ModelFigures f : models.values()) {
            if (!f.name.equals(defaultModel) && (idlest == null || f.lastSeen() < idlest.lastSeen())) {
                idlest = f;
            }
        }
        if (idlest != null) {
            models.remove(idlest.name);
            modelsDropped++;
        }
    }
}
