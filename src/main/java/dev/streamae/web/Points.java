package dev.streamae.web;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.streamae.streams.Label;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.TrainingMetrics;

/**
 * The data points the page draws, in the compact JSON form they travel in. Latent points are
 * written as arrays ({@code [x, y, z, label, anomaly, version]}): 2,000 of them as objects would triple the
 * size of a snapshot for no gain.
 */
final class Points {

    private Points() {
    }

    /**
     * One {@code training-metrics} record.
     *
     * @param t record time, epoch ms
     * @param loss mean training loss since the previous record
     * @param threshold anomaly threshold at the target false-alarm rate (null before a calibration)
     * @param falseAlarmRate the target false-alarm rate
     * @param alertRate the share of training images the calibration flagged since the previous record
     * @param contamination the estimated share of anomalies among recent training images
     * @param examplesSeen examples learnt in total
     * @param trainedPerSecond the trainer's rate since the previous record
     * @param modelVersion version published with the record
     * @param driftPolicy {@code adapt} or {@code hold}; null from a trainer that does not report drift
     * @param driftPhase STABLE, SUSPECTED or CONFIRMED
     * @param driftStatistic the drift detector's statistic (suspects at 100, confirms at 250)
     * @param learningHeld whether learning from the stream is held (this and the counts: null from
     *     a trainer that does not report them)
     * @param feedbackNormal operators' verdicts "normal" (false alarms) applied, in total
     * @param feedbackAnomaly operators' verdicts "anomaly" (confirmed anomalies) applied, in total
     * @param precision {@code feedbackAnomaly} over all verdicts; null before the first
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Training(long t, Double loss, Double threshold, double falseAlarmRate, Double alertRate,
                    Double contamination, long examplesSeen, Double trainedPerSecond, long modelVersion,
                    String driftPolicy, String driftPhase, Double driftStatistic, Boolean learningHeld,
                    Long feedbackNormal, Long feedbackAnomaly, Double precision) {

        static Training of(TrainingMetrics m) {
            return new Training(m.timestamp(), finite(m.loss()), finite(m.threshold()), m.falseAlarmRate(),
                    finite(m.alertRate()), finite(m.contamination()), m.examplesSeen(), finite(m.imagesPerSecond()),
                    m.modelVersion(), m.driftPolicy(), m.driftPhase(), finite(m.driftStatistic()), m.learningHeld(),
                    m.feedbackNormal(), m.feedbackAnomaly(), finite(m.precision()));
        }
    }

    /**
     * One {@code model-events} record: a drift or policy event, which the page marks on its
     * time-based charts at {@code t} and lists. {@code type} is passed on as written (the page
     * names the kinds it knows and shows any other as it came), so a newer trainer's event kinds
     * still show.
     *
     * @param t when the trainer emitted it, epoch ms
     * @param type DRIFT_SUSPECTED, DRIFT_DISMISSED, DRIFT_CONFIRMED, RECALIBRATED, LEARNING_HELD, LEARNING_RESUMED, ...
     * @param policy the drift policy in force
     * @param modelVersion the version last published when it happened
     * @param imagesJudged where it happened, in stream images judged by a warmed-up calibration
     * @param changeAt where the detector places the start of the change, on the same count
     * @param statistic the detector's statistic
     * @param threshold the level the statistic crossed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(long t, String type, String policy, long modelVersion, long imagesJudged, long changeAt,
                 Double statistic, Double threshold) {

        static Event of(ModelEvent e) {
            return new Event(e.timestamp(), e.type(), e.policy(), e.modelVersion(), e.imagesJudged(), e.changeAt(),
                    finite(e.statistic()), finite(e.threshold()));
        }
    }

    /** JSON has no NaN or infinity: a diverged loss is left out rather than breaking the page's parser. */
    static Double finite(Double v) {
        return v != null && Double.isFinite(v) ? v : null;
    }

    /**
     * Scores counted in one second of scoring time ({@code ScoreRecord.scoredAt}). The scorer's alert
     * rate is {@code anomalies / judged}, not {@code anomalies / scored}: images scored while the model
     * was still warming up (or had no calibration) could not raise an alert, and counting them would
     * make the rate look lower than the target for the first minute after every start.
     *
     * @param t the second, epoch seconds
     * @param scored images scored in it
     * @param anomalies of which anomalous
     * @param judged of which scored by a model that raises alerts (status READY)
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"t", "scored", "anomalies", "judged"})
    record Rate(long t, int scored, int anomalies, int judged) {
    }

    /**
     * One image's latent code, as the scorer computed it. Codes of different model versions live in
     * different coordinate systems, so each point carries its version and the page can show one
     * model's space at a time.
     *
     * @param x first code coordinate
     * @param y second
     * @param z third (0 for a code of fewer than three dimensions)
     * @param label the image's label as it came (a string or an integer), or null when it had none
     * @param anomaly 1 when the scorer flagged it, else 0
     * @param version the model version that computed the code
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"x", "y", "z", "label", "anomaly", "version"})
    record Latent(float x, float y, float z, Label label, int anomaly, long version) {

        static Latent of(float[] code, Label label, boolean anomaly, long version) {
            return new Latent(round(code, 0), round(code, 1), round(code, 2), label, anomaly ? 1 : 0, version);
        }

        /** Four significant decimals are plenty for a scatter and keep the JSON short. */
        private static float round(float[] code, int i) {
            return i < code.length && Float.isFinite(code[i]) ? Math.round(code[i] * 1e4f) / 1e4f : 0f;
        }
    }
}
