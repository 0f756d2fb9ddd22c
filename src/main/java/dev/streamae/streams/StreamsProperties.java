package dev.streamae.streams;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams configuration of the two applications: StreamAE's defaults, then whatever the user
 * configured (any Kafka client or Streams key, security included, passes through unchanged).
 *
 * <p>Defaults and why: {@code exactly_once_v2}, so every image is scored once and every example
 * learnt once across crashes; log-and-continue handlers, so a bad record never stops a thread;
 * the scorer writes bad records to {@code images-dlq} (the trainer rejects the same records and
 * only counts them, so each appears in the dead-letter queue once), and the trainer writes there the
 * operators' verdicts it refuses ({@code feedback} has no other reader); the trainer commits every
 * second rather than every 100 ms because each commit writes its ~2.4 MB model to the changelog,
 * with a state-store cache and a producer request size above that model, and its producer sends
 * batches of up to {@value #TRAINER_BATCH_BYTES} bytes rather than 16 kB: a commit waits until the
 * ring of logged examples and the checkpoint (about 5 MB together) are acknowledged, some 340
 * batches of 16 kB with five requests in flight, while the stream thread hands the optimiser no
 * new mini-batch (in {@code bench --only trainer} on 2 cores, 23,000-27,600 img/s became
 * 30,500-33,200). The scorer's latency is
 * its exactly-once commit: a read_committed reader sees a score only once its transaction commits
 * (the target is p99 <= 50 ms at 2,000 images/s; Kafka's exactly-once default commit
 * interval of 100 ms alone exceeds it). So the scorer does not wait for {@code commit.interval.ms}:
 * it requests a commit right after each slot's scoring ({@link ScoreSlots}), and the interval,
 * left at Kafka's {@value #SCORER_COMMIT_INTERVAL_MS} ms, only covers images not yet scored. Its
 * producer retries after {@value #SCORER_RETRY_BACKOFF_MS} ms instead of 100: a transaction's
 * offsets sent while the broker still writes the previous transaction's markers are refused as
 * concurrent and retried, and at 100 ms each such retry stalled the stream thread for a tenth of
 * a second (measured in the scorer's commit: sendOffsetsToTransaction 104-106 ms; with 10, the
 * longest was 42-56 ms). The scorer runs {@value #SCORER_STREAM_THREADS} stream threads: each
 * exactly-once commit holds its thread for three broker round trips (flush, offsets, end of
 * transaction), and meanwhile the other thread scores. Each thread commits its own transaction, so
 * at low rates there are twice as many commits (at 2,000 images/s 168-182 a second against 90-94),
 * which costs CPU but, measured, no latency: in {@code bench --only scorer} on 2 cores beside the
 * broker, 60,470-73,029 images/s against 48,957-64,487 with one thread, and p99 at 2,000 images/s
 * 31-39 ms against 32-47 ms. Threads beyond the {@code images} partitions an instance owns stay
 * idle; scale out with more instances or {@code num.stream.threads}.
 *
 * <p>{@code max.task.idle.ms} is {@value #NO_TASK_IDLING} in both: idling orders records across
 * the input partitions of one task (joins, merges), and every task here reads exactly one
 * partition, so it never applies; yet while it is on, Kafka Streams checks a task's partitions
 * every time it looks for work and formats a log message ({@code String.format}) for each one
 * with nothing buffered, whether or not that message is logged. The scorer's stream thread spends
 * its time on exactly such checks across six tasks (in {@code bench --only scorer}: 43,741-57,877
 * images/s with it off against 36,343-50,038 with Kafka's default of 0, same hour).
 */
public final class StreamsProperties {

    static final String MAX_REQUEST_BYTES = "10485760";
    static final int TRAINER_BATCH_BYTES = 262_144;
    static final int SCORER_COMMIT_INTERVAL_MS = 100;
    static final int SCORER_RETRY_BACKOFF_MS = 10;
    static final String NO_TASK_IDLING = "-1";
    static final int SCORER_STREAM_THREADS = 2;

    private StreamsProperties() {
    }

    public static Properties trainer(String bootstrapServers, Map<String, String> userConfig, AtomicLong badRecords) {
        Properties p = base(TrainerTopology.APPLICATION_ID, bootstrapServers, badRecords);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.IMAGES_DLQ);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(32L << 20));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(TRAINER_BATCH_BYTES));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        overlay(p, userConfig);
        // Images' bad records are the scorer's to dead-letter; the trainer alone reads feedback and
        // decides which models it admits (its training topic's records beyond models.max).
        p.put(BadRecordHandlers.DEAD_LETTER_SOURCES_CONFIG, Topics.FEEDBACK + ","
                + TrainerTopology.trainingTopic(p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)));
        return p;
    }

    public static Properties scorer(String bootstrapServers, Map<String, String> userConfig, AtomicLong badRecords) {
        Properties p = base(ScorerTopology.APPLICATION_ID, bootstrapServers, badRecords);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.IMAGES_DLQ);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Integer.toString(SCORER_COMMIT_INTERVAL_MS));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), Integer.toString(SCORER_RETRY_BACKOFF_MS));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(SCORER_STREAM_THREADS));
        return overlay(p, userConfig);
    }

    private static Properties base(String applicationId, String bootstrapServers, AtomicLong badRecords) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, NO_TASK_IDLING);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, BadRecordHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, BadRecordHandlers.Processing.class.getName());
        // The scorer's global model processor validates snapshots itself; opting in now is what
        // Kafka recommends (its default from 5.0). Kafka Streams 4.4 warns whenever a StreamsConfig
        // is built with it off, and each stream thread's partition assignor builds one from the main
        // consumer's settings, which carry only consumer keys and those under "main.consumer.":
        // set there too, or every stream thread logs the warning at start.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_REQUEST_BYTES);
        p.put(BadRecordHandlers.COUNTER_CONFIG, badRecords);
        return p;
    }

    private static Properties overlay(Properties p, Map<String, String> userConfig) {
        userConfig.forEach((key, value) -> {
            if (!StreamAeSettings.isOwnKey(key)) {
                p.put(key, value);
            }
        });
        return p;
    }
}
