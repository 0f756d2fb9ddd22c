package dev.streamae.streams;

/**
 * Published to {@link Topics#MODEL_EVENTS} (key: model name) when the trainer's drift detector
 * suspects, dismisses or confirms a change of the stream, and when the drift policy acts on it.
 * The trainer publishes each event once, exactly once under the trainer's transactions: its state
 * is checkpointed with every event, so a replay after a crash does not send it again.
 *
 * @param model the model name (record key)
 * @param modelVersion the version last published when the event happened
 * @param type {@link dev.streamae.model.DriftEvent.Type}: DRIFT_SUSPECTED, DRIFT_DISMISSED,
 *     DRIFT_CONFIRMED, RECALIBRATED, LEARNING_HELD or LEARNING_RESUMED
 * @param policy the drift policy in force ({@code adapt} or {@code hold})
 * @param imagesJudged stream images the trainer had judged by a warmed-up calibration: where it happened
 * @param changeAt where the detector places the start of the change, on the same count
 * @param statistic the detector's statistic (a CUSUM of images above the normal median error)
 * @param threshold the level the statistic crossed
 * @param examplesSeen examples the model had learnt
 * @param timestamp when the trainer emitted it (epoch ms)
 */
public record ModelEvent(String model, long modelVersion, String type, String policy, long imagesJudged, long changeAt,
                         double statistic, double threshold, long examplesSeen, long timestamp) {
}
