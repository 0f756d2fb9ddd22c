package dev.streamae.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition count of the trainer's training topic, as it is rather than as configured.
 *
 * <p>Kafka Streams creates the topic with {@code training.partitions} partitions, and refuses to
 * start when an existing one has another count (changing it needs Kafka's streams reset tool,
 * which also resets the models' state). A deployment from before models were keyed had one
 * partition; so that it keeps working unchanged, the trainer adopts the count of an existing topic
 * and says so, naming the setting and the tool.
 */
public final class TrainingTopic {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingTopic.class);

    /** How long the check may take: a trainer's start must not wait long for a broker that is not up yet. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private TrainingTopic() {
    }

    /**
     * {@code settings}, with {@code training.partitions} set to the existing topic's count when it
     * differs. When the topic cannot be described within {@link #CHECK_TIMEOUT} (no broker yet, no
     * permission) the configured count stands: Kafka Streams then creates the topic, or reports
     * the mismatch itself.
     */
    public static StreamAeSettings settle(StreamAeSettings settings, Properties streamsProperties) {
        StreamsConfig config = new StreamsConfig(streamsProperties);
        String topic = TrainerTopology.trainingTopic(config.getString(StreamsConfig.APPLICATION_ID_CONFIG));
        Map<String, Object> adminConfig = new HashMap<>(config.getAdminConfigs("streamae-training-topic"));
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(adminConfig)) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            int existing = description.partitions().size();
            int wanted = settings.models().trainingPartitions();
            if (existing == wanted) {
                return settings;
            }
            LOG.warn("the training topic {} has {} partitions, training.partitions says {}: keeping {} (at most {} "
                    + "trainer tasks train at once); to change it, stop the trainers and run Kafka's "
                    + "kafka-streams-application-reset tool, which also resets every model", topic, existing, wanted,
                    existing, existing);
            return settings.with(Map.of("training.partitions", Integer.toString(existing)));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                LOG.warn("could not check the partitions of the training topic {} ({}); going on with "
                        + "training.partitions={}", topic, e.getCause().toString(), settings.models().trainingPartitions());
            }
            return settings;  // created by Kafka Streams with training.partitions
        } catch (TimeoutException e) {
            LOG.warn("could not check the partitions of the training topic {} within {} s; going on with "
                    + "training.partitions={}", topic, CHECK_TIMEOUT.toSeconds(), settings.models().trainingPartitions());
            return settings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }
}
