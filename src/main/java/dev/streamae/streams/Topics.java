package dev.streamae.streams;

import java.util.List;

/**
 * StreamAE's topic names: the single place code and tests take them from. Partitions, configs and
 * descriptions are declared in {@code topics/topics.json} (see {@link TopicDeclarations}); a test
 * checks that the two agree.
 */
public final class Topics {

    /** Input: key image id, value {@link ImageRecord} JSON. Read by trainer and scorer. */
    public static final String IMAGES = "images";
    /** Compacted: key model name, value a binary model snapshot. Written by the trainer. */
    public static final String MODELS = "models";
    /** One {@link ScoreRecord} per valid input image, keyed by image id. */
    public static final String IMAGE_SCORES = "image-scores";
    /** The {@link ScoreRecord}s of anomalous images only. */
    public static final String ANOMALY_ALERTS = "anomaly-alerts";
    /** One {@link TrainingMetrics} record per published model version. */
    public static final String TRAINING_METRICS = "training-metrics";
    /** Kafka Streams' dead-letter queue: raw bad records with {@code __streams.errors.*} headers. */
    public static final String IMAGES_DLQ = "images-dlq";
    /** Operators' verdicts on alerts: key image id, value {@link FeedbackRecord} JSON. Read by the trainer. */
    public static final String FEEDBACK = "feedback";
    /** Drift and policy events: key model name, value {@link ModelEvent} JSON. Written by the trainer. */
    public static final String MODEL_EVENTS = "model-events";

    /**
     * Compacted: key {@code <model>@<version>}, value a binary model snapshot; the versions kept for
     * rollback ({@code models.history.versions} per model, older ones deleted). Written by the trainer.
     */
    public static final String MODEL_HISTORY = "model-history";
    /**
     * Compacted: key model name, value the snapshot scorers must serve instead of the newest (a pin
     * or rollback by {@code streamae models}); a tombstone unpins. Read by every scorer.
     */
    public static final String MODEL_CONTROL = "model-control";

    public static final List<String> ALL = List.of(IMAGES, MODELS, IMAGE_SCORES, ANOMALY_ALERTS, TRAINING_METRICS, IMAGES_DLQ,
            FEEDBACK, MODEL_EVENTS, MODEL_HISTORY, MODEL_CONTROL);

    private Topics() {
    }
}
