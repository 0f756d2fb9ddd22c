package dev.streamae.streams;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' own log-and-continue handlers, counting what they handle. The built-in handlers
 * also write the raw record to the dead-letter queue when {@code errors.dead.letter.queue.topic.name}
 * is set, with the reason in the {@code __streams.errors.*} headers; these subclasses only add a
 * counter, which they find in the Streams configuration under {@link #COUNTER_CONFIG}.
 */
public final class BadRecordHandlers {

    /** Configuration key whose value is the {@link AtomicLong} that counts bad records. */
    public static final String COUNTER_CONFIG = "streamae.bad.records.counter";

    private BadRecordHandlers() {
    }

    private static AtomicLong counter(Map<String, ?> configs) {
        Object counter = configs.get(COUNTER_CONFIG);
        return counter instanceof AtomicLong c ? c : new AtomicLong();
    }

    /** For records that are not valid JSON image records. */
    public static final class Deserialization extends LogAndContinueExceptionHandler {
        private AtomicLong counter = new AtomicLong();

        @Override
        public void configure(Map<String, ?> configs) {
            super.configure(configs);
            counter = counter(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
            counter.incrementAndGet();
            return super.handleError(context, record, e);
        }
    }

    /** For images that parse but fail validation (size, range, encoding). */
    public static final class Processing extends LogAndContinueProcessingExceptionHandler {
        private AtomicLong counter = new AtomicLong();

        @Override
        public void configure(Map<String, ?> configs) {
            super.configure(configs);
            counter = counter(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
            counter.incrementAndGet();
            return super.handleError(context, record, e);
        }
    }
}
