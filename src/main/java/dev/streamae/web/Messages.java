package dev.streamae.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.streamae.model.Calibration;
import dev.streamae.model.DriftDetector;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.Label;
import java.util.List;

/**
 * The server-sent events the page receives, one per tick: a {@code snapshot} (everything kept) when
 * a page connects, then {@code delta}s (only what is new). Fields that did not change are left out.
 */
final class Messages {

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private Messages() {
    }

    /**
     * One event.
     *
     * @param type "snapshot" (replace everything: sent on connecting and whenever the page's copy no
     *     longer fits, e.g. its model was dropped) or "delta"
     * @param serverTime when it was made, epoch ms
     * @param modelName the model shown (the page's choice, else the configured default if it has
     *     figures, else the first model seen)
     * @param limits the caps the page trims its arrays to (snapshot only)
     * @param model the newest accepted model, or null before the first
     * @param totals running totals
     * @param training training points (all, or new)
     * @param rates per-second scoring counts (all, or new and changed: replace by second)
     * @param latent latent points (all, or new)
     * @param alerts rendered alerts, oldest first (all, or new)
     * @param events model events (drift and policy) of the model shown, oldest first (all, or new)
     * @param grid the originals-over-reconstructions grid, when re-rendered
     * @param driftLevels the drift detector's levels (snapshot only)
     * @param models every model held, by name: the overview and the page's model selector
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Update(String type, long serverTime, String modelName, Limits limits, Model model,
                  DashboardState.Totals totals, List<Points.Training> training, List<Points.Rate> rates,
                  List<Points.Latent> latent, List<Alert> alerts, List<Points.Event> events, Grid grid,
                  DriftLevels driftLevels, List<ModelRow> models) {
    }

    /**
     * One model's line in the overview ({@link ModelFigures#row}).
     *
     * @param name the model's name
     * @param version its newest version: the snapshot's, else the newest the trainer or scorer reported
     * @param imagesPerSecond images scored per second, last {@value ModelFigures#RATE_SECONDS} closed seconds
     * @param alertRate alerts among the images an alerting model judged in the last
     *     {@value ModelFigures#ALERT_RATE_SECONDS} closed seconds; null when none was judged
     * @param judged images judged in that minute
     * @param driftPhase the drift phase the trainer last reported, or null
     * @param lastSeen the newest time of any of its records, epoch ms
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelRow(String name, long version, double imagesPerSecond, Double alertRate, long judged,
                    String driftPhase, long lastSeen) {
    }

    /**
     * The levels of {@link DriftDetector} the page shows the statistic against: sent rather than
     * written into the page, so that the two cannot disagree.
     */
    record DriftLevels(double suspect, double confirm) {
        static final DriftLevels DETECTOR = new DriftLevels(DriftDetector.SUSPECT_AT, DriftDetector.CONFIRM_AT);
    }

    /** The caps of {@link DashboardLimits} the page needs. */
    record Limits(long tickMs, int chartPoints, int latentPoints, int alerts, int events, int models) {
        static Limits of(DashboardLimits l) {
            return new Limits(l.tick().toMillis(), l.chartPoints(), l.latentPoints(), l.alerts(), l.events(), l.models());
        }
    }

    /**
     * The newest model snapshot read from {@code models}. Its alerting figures come from the
     * calibration published with it, read at the dashboard's own {@code alert.false.alarm.rate}
     * (the scorers', in any one deployment), so the page shows the threshold that model alerts at.
     *
     * @param ageMs how old the snapshot is at {@code serverTime}
     * @param threshold the error above which an image is an anomaly at {@code falseAlarmRate}; null
     *     while the model has no calibration
     * @param falseAlarmRate the target: the fraction of normal images allowed to raise an alert
     * @param contamination the trainer's estimate of the fraction of anomalies among its recent
     *     training images; null while the model has no calibration
     * @param warmedUp whether the model raises alerts (warmed up and calibrated)
     * @param rejectedSnapshots snapshots refused (bad signature, wrong shape, older, garbage)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Model(long version, long createdAt, long ageMs, long examplesSeen, long steps, Double threshold,
                 double falseAlarmRate, Double contamination, boolean warmedUp, String metric, String architecture,
                 long rejectedSnapshots) {

        static Model of(Snapshot s, double falseAlarmRate, long now, long rejected) {
            if (s == null) {
                return null;
            }
            long created = s.createdAt().toEpochMilli();
            Calibration c = s.calibration();
            return new Model(s.modelVersion(), created, Math.max(0, now - created), s.examplesSeen(), s.steps(),
                    c == null ? null : c.threshold(falseAlarmRate), falseAlarmRate, c == null ? null : c.contamination(),
                    s.alerting(), s.metric().id(), s.architecture().toString(), rejected);
        }
    }

    /**
     * An alert with its original image beside its reconstruction by the newest model.
     *
     * @param label the image's label as text ({@link #labelText}), or null
     * @param pValue the estimated fraction of normal images with an error at least this one's
     * @param original data URI, or null if the original was not (or no longer) in the dashboard's memory
     * @param reconstruction data URI, or null likewise
     * @param scoredBy model version that raised the alert
     * @param reconstructedWith model version that drew the reconstruction (-1: none)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Alert(String id, String label, Double error, Double pValue, Double threshold, String metric, long scoredBy,
                 long reconstructedWith, long scoredAt, String original, String reconstruction) {
    }

    /** Recent originals over their reconstructions, drawn with model {@code modelVersion}. */
    record Grid(long modelVersion, long renderedAt, List<Cell> cells) {
    }

    /** One column of the grid; {@code label} as text ({@link #labelText}), or null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Cell(String id, String label, Double error, String original, String reconstruction) {
    }

    /**
     * A label as the page prints it: the string, or the integer's decimal digits. Captions get text,
     * not the JSON value, because a browser reads every JSON number as a double and would print an
     * integer label beyond 2<sup>53</sup> rounded; the page puts it in the document as text only.
     */
    static String labelText(Label label) {
        return label == null ? null : label.toString();
    }
}
