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
 *
 * <p>It reads records that are there already and never waits for new ones, so the broker answers
 * a fetch at once ({@code fetch.max.wait.ms} {@value #FETCH_MAX_WAIT_MS}, Kafka's default is 500):
 * after a read, the consumer fetches ahead from where it stopped, often the end of the partition,
 * and at the default that fetch held the next seek's fetch back half a second (a lookup took
 * 750 ms, against a few milliseconds now).
 */
final class ImagesConsumer {

    static final int FETCH_MAX_WAIT_MS = 10;

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
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
