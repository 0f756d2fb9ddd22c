package dev.streamae.streams;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The scorer's verdict on one image, written to {@link Topics#IMAGE_SCORES} for every valid
 * image and to {@link Topics#ANOMALY_ALERTS} when {@code anomaly} is true.
 *
 * @param id the image id (also the record key)
 * @param model the image's model (its {@code model} field as routed, else {@code model.name})
 * @param modelVersion version of the snapshot that scored, 0 while there is no model
 * @param scoredBy the {@code models.fallback} model's name when its snapshot scored the image
 *     (its own model has none yet), else null
 * @param pinned true when the snapshot that scored is a pinned one ({@code streamae models pin} or
 *     {@code rollback}) rather than the newest, else null
 * @param code the 3-D (code-size) latent code, or null while there is no model
 * @param error the reconstruction error under {@code metric}, or null while there is no model
 * @param metric the error metric (mse, mae, bce)
 * @param pValue how unusual the error is: the estimated fraction of normal images whose error is
 *     at least this one, from the model's calibration; null while there is no calibration
 * @param threshold the error above which an image is an anomaly, for the configured false-alarm
 *     rate ({@code pValue} below the rate); null while there is no calibration
 * @param anomaly whether {@code pValue} is below the false-alarm rate; never true unless status is READY
 * @param status {@link Status}
 * @param label the label the image carried, if any, unchanged
 * @param partition the image's partition in {@code images}: with {@code offset}, what an operator's
 *     verdict on {@link Topics#FEEDBACK} copies so that the image need not be sent again; null only
 *     for a score not made from a record of {@code images}
 * @param offset the image's offset in that partition, null likewise
 * @param imageTimestamp the input record's timestamp (epoch ms)
 * @param scoredAt when the score was computed (epoch ms)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoreRecord(String id, String model, long modelVersion, String scoredBy, Boolean pinned, float[] code,
                          Double error, String metric, Double pValue, Double threshold, boolean anomaly, Status status, Label label,
                          Integer partition, Long offset, long imageTimestamp, long scoredAt) {

    /** Model readiness when the image was scored. */
    public enum Status {
        /** No valid snapshot of the image's model (nor of the fallback model) has been received yet. */
        NO_MODEL,
        /** A model exists but has seen fewer examples than the warm-up; no alerts are raised. */
        WARMING_UP,
        /** The model is warmed up; anomalies raise alerts. */
        READY
    }
}
