package dev.streamae.model;

/**
 * Something the drift detector saw, or what the policy did about it, at one image of the stream.
 *
 * @param type what happened
 * @param imagesJudged stream images judged by a warmed-up calibration so far: where it happened
 * @param changeAt where the detector places the change's start, on the same count (for
 *     {@link Type#SUSPECTED}, {@link Type#CONFIRMED} and {@link Type#RECALIBRATED}); else equal
 *     to {@code imagesJudged}
 * @param statistic the detector's statistic when it happened (see {@link DriftDetector})
 * @param threshold the level the statistic crossed
 */
public record DriftEvent(Type type, long imagesJudged, long changeAt, double statistic, double threshold) {

    public enum Type {
        /** More images than the calibration allows look unusual: a burst of anomalies or the start of a drift. */
        DRIFT_SUSPECTED,
        /** The suspicion ended before it was confirmed: it was a burst of anomalies. */
        DRIFT_DISMISSED,
        /** The change lasted: "normal" has moved. */
        DRIFT_CONFIRMED,
        /** ({@code adapt}) The calibration was re-fitted to the errors since the change. */
        RECALIBRATED,
        /** ({@code hold}) Learning from the stream stopped and the calibration froze. */
        LEARNING_HELD,
        /** ({@code hold}) The stream is back to what it was before: learning resumed. */
        LEARNING_RESUMED
    }
}
