package dev.streamae.streams;

/**
 * Published to {@link Topics#MODEL_EVENTS} (key: model name) when the trainer's drift detector
 * suspects, dismisses or confirms a change of the stream, and when the drift policy acts on it.
 * The trainer publishes each event once, exactly once under the trainer's transactions: its state
 * is checkpointed with every event, so a replay after a crash does not send it again.
 * {@code streamae models} publishes {@link #PINNED}, {@link #UNPINNED} and {@link #ROLLED_BACK}, in
 * the transaction that writes the pin to {@link Topics#MODEL_CONTROL}; those carry no policy (null,
 * left out of the JSON) and 0 for the detector's fields.
 *
 * @param model the model name (record key)
 * @param modelVersion the version last published when the event happened
 * @param type {@link dev.streamae.model.DriftEvent.Type}: DRIFT_SUSPECTED, DRIFT_DISMISSED,
 *     DRIFT_CONFIRMED, RECALIBRATED, LEARNING_HELD or LEARNING_RESUMED; or PINNED, UNPINNED,
 *     ROLLED_BACK (then {@code modelVersion} is the version served from now on)
 * @param policy the drift policy in force ({@code adapt} or {@code hold}); null on pin events
 * @param imagesJudged stream images the trainer had judged by a warmed-up calibration: where it happened
 * @param changeAt where the detector places the start of the change, on the same count
 * @param statistic the detector's statistic (a CUSUM of images above the normal median error)
 * @param threshold the level the statistic crossed
 * @param examplesSeen examples the model had learnt
 * @param timestamp when the trainer emitted it (epoch ms)
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ModelEvent(String model, long modelVersion, String type, String policy, long imagesJudged, long changeAt,
                         double statistic, double threshold, long examplesSeen, long timestamp) {

    public static final String PINNED = "PINNED";
    public static final String UNPINNED = "UNPINNED";
    public static final String ROLLED_BACK = "ROLLED_BACK";

    /** An operator's pin, unpin or rollback of {@code model}, now served at {@code version}. */
    public static ModelEvent lifecycle(String model, String type, long version, long examplesSeen, long timestamp) {
        return new ModelEvent(model, version, type, null, 0, 0, 0, 0, examplesSeen, timestamp);
    }
}
