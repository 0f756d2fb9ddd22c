package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scorer topology (application id {@code streamae-scorer}; run as many instances as there are
 * {@code images} partitions to use).
 *
 * <pre>
 * models (snapshot bytes) -> global store scorer-models (only snapshots the registry accepts)
 * model-control (pinned snapshot bytes; tombstone: unpin) -> global store scorer-model-control
 * images (ImageRecord JSON) -> validate -> micro-batch + score (store scorer-pending: offset of each open batch)
 *   -> image-scores (ScoreRecord JSON, every valid image)
 *   -> anomaly-alerts (ScoreRecord JSON, anomalies only)
 * bad images -> images-dlq (by the exception handlers, see {@link StreamsProperties})
 * </pre>
 *
 * <p>Every instance sees the whole {@code models} and {@code model-control} topics through the
 * global stores and swaps in a newer model, a pinned one or the newest again without restarting;
 * each image is scored by its own model's served snapshot ({@link ModelRegistry}). A snapshot of the
 * wrong shape, garbage, with a bad signature or under another model's key is rejected and scoring
 * carries on with the model it has.
 */
public final class ScorerTopology {

    public static final String APPLICATION_ID = "streamae-scorer";

    private ScorerTopology() {
    }

    public static Topology build(StreamAeSettings settings, ModelRegistry registry, ScorerMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        ImageDecoder decoder = new ImageDecoder(settings.width(), settings.height());
        ScoreSlots slots = new ScoreSlots(settings.scoreMaxDelay(), settings.scoreBatchSize());

        builder.addGlobalStore(globalStore(ModelUpdateProcessor.STORE), Topics.MODELS,
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("models"),
                () -> ModelUpdateProcessor.models(registry));
        builder.addGlobalStore(globalStore(ModelUpdateProcessor.CONTROL_STORE), Topics.MODEL_CONTROL,
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("model-control"),
                () -> ModelUpdateProcessor.control(registry));

        // One offset per task (see ScoringProcessor): in memory, restored from its changelog; a
        // RocksDB store would be flushed to disk on every commit, which the scorer makes up to
        // every slot. No cache: Kafka Streams commits task by task, flushing each task's cache and
        // then waiting for the producer, so a thread with six tasks waited for six produce round
        // trips per commit (measured at 2,000 images/s: 6-7 ms of each commit; without the cache
        // one round trip, 2-3 ms, and p99 latency 52-88 ms instead of 74-221 ms).
        StoreBuilder<KeyValueStore<Integer, Long>> pending = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ScoringProcessor.PENDING_STORE), Serdes.Integer(), Serdes.Long())
                .withCachingDisabled();
        builder.addStateStore(pending);

        KStream<String, ScoreRecord> scores = builder
                .stream(Topics.IMAGES, Consumed.with(Serdes.String(), JsonSerde.of(ImageRecord.class)).withName("images"))
                .processValues(() -> new ImageValidator(decoder, settings.models()), Named.as("validate"))
                .process(() -> new ScoringProcessor(settings, registry, metrics, slots, decoder), Named.as("score"),
                        ScoringProcessor.PENDING_STORE);
        JsonSerde<ScoreRecord> scoreSerde = JsonSerde.of(ScoreRecord.class);
        scores.to(Topics.IMAGE_SCORES, Produced.with(Serdes.String(), scoreSerde).withName("to-image-scores"));
        scores.filter((id, score) -> score.anomaly(), Named.as("anomalies"))
                .to(Topics.ANOMALY_ALERTS, Produced.with(Serdes.String(), scoreSerde).withName("to-anomaly-alerts"));
        return builder.build();
    }

    /** A global store of snapshot bytes by model name: its topic is its changelog. */
    private static StoreBuilder<KeyValueStore<String, byte[]>> globalStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }
}
