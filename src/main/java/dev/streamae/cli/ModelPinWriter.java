package dev.streamae.cli;

import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a pin (or, with null bytes, an unpin) to {@code model-control} and its event to
 * {@code model-events} in one Kafka transaction: a {@code read_committed} reader sees both or
 * neither, so no scorer serves a pin whose event is missing and no event tells of a pin that did not
 * happen. The transactional id is per model ({@code streamae-models-<model>}): two operators acting
 * on the same model at once fence each other instead of interleaving, while different models do
 * not wait for each other.
 */
final class ModelPinWriter {

    /** A snapshot is up to 8 MB. */
    private static final int MAX_REQUEST_BYTES = 10 << 20;

    private ModelPinWriter() {
    }

    /** @param snapshot the bytes to serve, or null to unpin */
    static void write(Map<String, Object> clientConfig, String model, byte[] snapshot, ModelEvent event, Duration timeout) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "streamae-models-" + model);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.MODEL_CONTROL, model, snapshot));
            producer.send(new ProducerRecord<>(Topics.MODEL_EVENTS, model, JsonSerde.of(ModelEvent.class).toBytes(event)));
            producer.commitTransaction();
        } catch (KafkaException e) {
            throw new IllegalStateException("could not write to " + Topics.MODEL_CONTROL + " and " + Topics.MODEL_EVENTS
                    + ": " + e.getMessage(), e);
        }
    }
}
