package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The trainer topology (application id {@code streamae-trainer}).
 *
 * <pre>
 * images (ImageRecord JSON) -> validate (and route to a model) -> sample ----------------.
 * feedback (FeedbackRecord JSON) -> apply-feedback (store feedback-applied) --------------+
 *   -> repartition "training" (key model name, training.partitions partitions)
 *   -> train (stores trainer-pending, trainer-state; global trainer-known-models)
 *        -> models (snapshot bytes, key model name)
 *        -> training-metrics (TrainingMetrics JSON, key model name)
 *        -> model-events (ModelEvent JSON: drift)
 *        -> model-history (snapshot bytes, key model@version; tombstones for versions no longer kept)
 * bad feedback, models beyond models.max -> images-dlq (by the exception handlers, see {@link StreamsProperties})
 * </pre>
 *
 * <p>Each model's training is one sequential SGD stream, so all its examples go through one
 * partition of the training topic, keyed by model name, and therefore one task; different models
 * hash to different partitions, so Kafka Streams spreads them over stream threads and instances
 * (standby replicas make a failover fast). An image also trains {@code models.fallback}, when set.
 * The topic carries validated 8-bit pixels in a compact binary form ({@link ValidImageCodec#encodeU8}),
 * which the training processor logs as they are. Its partition count is fixed once it exists
 * ({@link TrainingTopic}). Bad records are rejected by the same validation as in the scorer; the
 * scorer reports them to {@code images-dlq}, the trainer only skips and counts them, so each bad
 * record appears in the dead-letter queue once.
 *
 * <p>Operators' verdicts ({@link FeedbackProcessor}) join the images before the repartition, as
 * {@link TrainingExample}s that carry the verdict, keyed by the model of the image they judge, so
 * one path sequences, logs, replays and counts both; they are never sampled out. Nothing else reads
 * {@code feedback}, so the trainer dead-letters the verdicts it refuses, and only those.
 */
public final class TrainerTopology {

    public static final String APPLICATION_ID = "streamae-trainer";
    /** Name of the repartition topic, keyed by model, that orders each model's training examples. */
    public static final String TRAINING_REPARTITION = "training";

    /** The training topic's full name for an application id (Kafka Streams' naming of repartition topics). */
    public static String trainingTopic(String applicationId) {
        return applicationId + "-" + TRAINING_REPARTITION + "-repartition";
    }
    /** A model with its Adam state is ~2.4 MB; its changelog record must fit. */
    static final String CHANGELOG_MAX_MESSAGE_BYTES = "10485760";

    /**
     * What the training processor emits: a snapshot and its metrics record when it publishes, or a
     * drift event (the other fields null).
     */
    public record Published(Kind kind, byte[] snapshot, TrainingMetrics metrics, ModelEvent event) {

        /** Where it goes: {@code models} with {@code training-metrics}, {@code model-events} or {@code model-history}. */
        public enum Kind { MODEL, EVENT, HISTORY }

        static Published model(byte[] snapshot, TrainingMetrics metrics) {
            return new Published(Kind.MODEL, snapshot, metrics, null);
        }

        /** A version kept for rollback (key {@code <model>@<version>}), or with null bytes its deletion. */
        static Published history(byte[] snapshot) {
            return new Published(Kind.HISTORY, snapshot, null, null);
        }

        static Published event(ModelEvent event) {
            return new Published(Kind.EVENT, null, null, event);
        }
    }

    private TrainerTopology() {
    }

    public static Topology build(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics) {
        return build(settings, factory, metrics, TrainingProcessor.StepThread.OWN);
    }

    /** As {@link #build(StreamAeSettings, ModelFactory, TrainerMetrics)}, choosing where optimiser steps run. */
    static Topology build(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics,
                          TrainingProcessor.StepThread stepThread) {
        return build(settings, factory, metrics, stepThread, KafkaImageLookup::new);
    }

    /** As above, choosing how verdicts find their images ({@link KafkaImageLookup} in production). */
    static Topology build(StreamAeSettings settings, ModelFactory factory, TrainerMetrics metrics,
                          TrainingProcessor.StepThread stepThread, ImageLookup.Opener lookups) {
        StreamsBuilder builder = new StreamsBuilder();
        int trainingPartitions = settings.models().trainingPartitions();
        ImageDecoder decoder = new ImageDecoder(settings.width(), settings.height());
        Map<String, String> changelog = Map.of("max.message.bytes", CHANGELOG_MAX_MESSAGE_BYTES);
        // In memory, restored from their changelogs: a few MB at most (examples since the last
        // checkpoint, one checkpoint), where RocksDB would flush to disk on every commit.
        StoreBuilder<KeyValueStore<byte[], byte[]>> pending = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TrainingProcessor.PENDING_STORE), Serdes.ByteArray(), Serdes.ByteArray())
                .withCachingEnabled().withLoggingEnabled(changelog);
        StoreBuilder<KeyValueStore<String, byte[]>> state = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TrainingProcessor.STATE_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled().withLoggingEnabled(changelog);
        // Image id -> the verdict applied: a few thousand small entries (see FeedbackProcessor).
        StoreBuilder<KeyValueStore<String, byte[]>> applied = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FeedbackProcessor.APPLIED_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of());
        SampleFilter sample = new SampleFilter(settings.sampleRate());
        builder.addStateStore(pending);
        // The models any task published, for models.max: only the keys matter, so each is kept as one byte.
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TrainingProcessor.KNOWN_MODELS_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(), Topics.TRAINING_METRICS,
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("known-models"), KnownModelsProcessor::new);
        builder.addStateStore(state);
        builder.addStateStore(applied);

        KStream<String, byte[]> verdicts = builder
                .stream(Topics.FEEDBACK, Consumed.with(Serdes.String(), JsonSerde.of(FeedbackRecord.class)).withName("feedback"))
                .process(() -> new FeedbackProcessor(decoder, settings.models(), lookups), Named.as("apply-feedback"),
                        FeedbackProcessor.APPLIED_STORE);
        KStream<String, TrainerTopology.Published> published = builder
                .stream(Topics.IMAGES, Consumed.with(Serdes.String(), JsonSerde.of(ImageRecord.class)).withName("images"))
                .processValues(() -> new ImageValidator(decoder, settings.models()), Named.as("validate"))
                .filter((id, image) -> sample.keep(image.id()), Named.as("sample"))
                // Keyed by model from here on; encoded once: the processor logs these very bytes
                // before decoding them to train. The fallback model learns a copy of every image.
                .flatMap((id, image) -> {
                    byte[] encoded = TrainingExample.encodeStream(image);
                    return settings.models().trainedBy(image.model()).stream()
                            .map(model -> KeyValue.pair(model, encoded)).toList();
                }, Named.as("route-to-models"))
                .merge(verdicts, Named.as("with-feedback"))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                        .withName(TRAINING_REPARTITION).withNumberOfPartitions(trainingPartitions))
                .process(() -> new TrainingProcessor(settings, factory, metrics, stepThread), Named.as("train"),
                        TrainingProcessor.PENDING_STORE, TrainingProcessor.STATE_STORE);

        KStream<String, TrainerTopology.Published> models = published.filter((name, p) -> p.kind() == Published.Kind.MODEL,
                Named.as("models-only"));
        published.filter((key, p) -> p.kind() == Published.Kind.HISTORY, Named.as("history-only"))
                .mapValues(Published::snapshot, Named.as("kept-snapshot"))
                .to(Topics.MODEL_HISTORY, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("to-model-history"));
        published.filter((name, p) -> p.kind() == Published.Kind.EVENT, Named.as("events-only"))
                .mapValues(Published::event, Named.as("event"))
                .to(Topics.MODEL_EVENTS, Produced.with(Serdes.String(), JsonSerde.of(ModelEvent.class))
                        .withName("to-model-events"));
        models.mapValues(Published::snapshot, Named.as("snapshot"))
                .to(Topics.MODELS, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("to-models"));
        models.mapValues(Published::metrics, Named.as("metrics"))
                .to(Topics.TRAINING_METRICS, Produced.with(Serdes.String(), JsonSerde.of(TrainingMetrics.class))
                        .withName("to-training-metrics"));
        return builder.build();
    }
}
