package dev.streamae.streams;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A plain consumer of {@code images} that a processor opens itself, to read records again by
 * offset ({@link BufferReplay}, {@link KafkaImageLookup}). Its settings are the application's own
 * restore consumer's, so bootstrap servers, security ({@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}) and any {@code restore.consumer.} overrides carry over unchanged; it reads only
 * committed records (what the topologies saw), commits nothing, and fails on an offset outside
 * the log instead of jumping elsewhere, so that a missing record is noticed, not replaced.
 */
final class ImagesConsumer {

    private ImagesConsumer() {
    }

    /**
     * @param appConfigs the application's configuration ({@code ProcessorContext#appConfigs})
     * @param clientId the consumer's client id, naming what reads
     * @param groupId the group whose committed offsets it may ask for, or null for none
     */
    static KafkaConsumer<String, byte[]> open(Map<String, Object> appConfigs, String clientId, String groupId) {
        Map<String, Object> props = new StreamsConfig(appConfigs).getRestoreConsumerConfigs(clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
