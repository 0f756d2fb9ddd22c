package dev.streamae.streams;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' own log-and-continue handlers, counting what they handle. The built-in handlers
 * also write the raw record to the dead-letter queue when {@code errors.dead.letter.queue.topic.name}
 * is set, with the reason in the {@code __streams.errors.*} headers; these subclasses only add a
 * counter, which they find in the Streams configuration under {@link #COUNTER_CONFIG}, keep
 * each dead-letter record small enough to be written (see {@link #bounded}), and, when
 * {@link #DEAD_LETTER_SOURCES_CONFIG} is set, write dead letters only for records read from those
 * topics: the trainer reads {@code images} too but leaves its bad records to the scorer, so that
 * each appears in the dead-letter queue once, while it is the only reader of {@code feedback}.
 */
public final class BadRecordHandlers {

    /** Configuration key whose value is the {@link AtomicLong} that counts bad records. */
    public static final String COUNTER_CONFIG = "streamae.bad.records.counter";
    /**
     * Configuration key: the source topics (comma-separated) whose bad records get a dead letter;
     * every topic's when unset. Bad records of other topics are still counted and skipped.
     */
    public static final String DEAD_LETTER_SOURCES_CONFIG = "streamae.dead.letter.sources";
    /**
     * Most bytes of a bad record's key or value copied into its dead-letter record. A bad record can
     * be as large as the input topic allows; its dead-letter copy adds headers (reason, stack
     * trace), so a full-size copy would be larger than the producer or the broker accepts. That send
     * error fails the stream thread, and since the offsets were not committed the replacement thread
     * reads the same record and fails again, for ever. 512 kB keeps the copy under the broker's
     * default {@code message.max.bytes} (1 MB) and is far more than an operator needs to see.
     */
    public static final int MAX_COPIED_BYTES = 512 * 1024;
    /** Most bytes of each {@code __streams.errors.*} header (the message, the stack trace). */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Set on a dead-letter record whose key or value was cut to {@link #MAX_COPIED_BYTES}: the original sizes. */
    public static final String ORIGINAL_KEY_BYTES_HEADER = "streamae.original.key.bytes";
    public static final String ORIGINAL_VALUE_BYTES_HEADER = "streamae.original.value.bytes";

    private BadRecordHandlers() {
    }

    private static AtomicLong counter(Map<String, ?> configs) {
        Object counter = configs.get(COUNTER_CONFIG);
        return counter instanceof AtomicLong c ? c : new AtomicLong();
    }

    /** The topics whose bad records get a dead letter, or null for all. */
    private static Set<String> deadLetterSources(Map<String, ?> configs) {
        Object sources = configs.get(DEAD_LETTER_SOURCES_CONFIG);
        return sources == null ? null : Arrays.stream(sources.toString().split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** The dead letters the built-in handler made, bounded, unless the record's topic gets none. */
    private static List<ProducerRecord<byte[], byte[]>> deadLetters(Set<String> sources, ErrorHandlerContext context,
                                                                  List<ProducerRecord<byte[], byte[]>> records) {
        return sources != null && !sources.contains(context.topic()) ? List.of() : bounded(records);
    }

    /**
     * The dead-letter records with keys and values cut to {@link #MAX_COPIED_BYTES} and headers to
     * {@link #MAX_HEADER_BYTES}, the original sizes recorded in headers when something was cut.
     */
    static List<ProducerRecord<byte[], byte[]>> bounded(List<ProducerRecord<byte[], byte[]>> records) {
        return records == null ? List.of() : records.stream().map(BadRecordHandlers::bounded).toList();
    }

    private static ProducerRecord<byte[], byte[]> bounded(ProducerRecord<byte[], byte[]> r) {
        boolean keyTooLong = r.key() != null && r.key().length > MAX_COPIED_BYTES;
        boolean valueTooLong = r.value() != null && r.value().length > MAX_COPIED_BYTES;
        boolean headerTooLong = false;
        for (Header h : r.headers()) {
            headerTooLong |= h.value() != null && h.value().length > MAX_HEADER_BYTES;
        }
        if (!keyTooLong && !valueTooLong && !headerTooLong) {
            return r;
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h.key(), cut(h.value(), MAX_HEADER_BYTES));
        }
        if (keyTooLong) {
            headers.add(ORIGINAL_KEY_BYTES_HEADER, Integer.toString(r.key().length).getBytes(StandardCharsets.UTF_8));
        }
        if (valueTooLong) {
            headers.add(ORIGINAL_VALUE_BYTES_HEADER, Integer.toString(r.value().length).getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), cut(r.key(), MAX_COPIED_BYTES),
                cut(r.value(), MAX_COPIED_BYTES), headers);
    }

    private static byte[] cut(byte[] bytes, int max) {
        return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
    }

    /** For records that are not valid JSON records of their topic (images, verdicts). */
    public static final class Deserialization extends LogAndContinueExceptionHandler {
        private AtomicLong counter = new AtomicLong();
        private Set<String> sources;

        @Override
        public void configure(Map<String, ?> configs) {
            super.configure(configs);
            counter = counter(configs);
            sources = deadLetterSources(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
            counter.incrementAndGet();
            Response response = super.handleError(context, record, e);
            List<ProducerRecord<byte[], byte[]>> deadLetters = deadLetters(sources, context, response.deadLetterQueueRecords());
            return response.result() == Result.RESUME ? Response.resume(deadLetters) : Response.fail(deadLetters);
        }
    }

    /** For records that parse but cannot be used: images that fail validation, verdicts that cannot be applied. */
    public static final class Processing extends LogAndContinueProcessingExceptionHandler {
        private AtomicLong counter = new AtomicLong();
        private Set<String> sources;

        @Override
        public void configure(Map<String, ?> configs) {
            super.configure(configs);
            counter = counter(configs);
            sources = deadLetterSources(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
            counter.incrementAndGet();
            Response response = super.handleError(context, record, e);
            List<ProducerRecord<byte[], byte[]>> deadLetters = deadLetters(sources, context, response.deadLetterQueueRecords());
            return response.result() == Result.RESUME ? Response.resume(deadLetters) : Response.fail(deadLetters);
        }
    }
}
