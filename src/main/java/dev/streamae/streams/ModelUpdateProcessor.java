package dev.streamae.streams;

import java.util.function.BiPredicate;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Global-store processor of the scorer, one for each topic of snapshots it reads: {@code models}
 * (every snapshot the trainer publishes; {@link ModelRegistry#offer}) and {@code model-control}
 * (pins, and tombstones that unpin; {@link ModelRegistry#pin}). A store keeps only the records the
 * registry took. {@code StreamsBuilder#addGlobalStore} replays the topic through this processor on
 * restore too, so a restarted scorer validates what it loads, pins included, exactly as a running
 * one does.
 */
final class ModelUpdateProcessor implements Processor<String, byte[], Void, Void> {

    static final String STORE = "scorer-models";
    static final String CONTROL_STORE = "scorer-model-control";

    private final String storeName;
    /** Offers a record to the registry: true when it took it. */
    private final BiPredicate<String, byte[]> offer;
    private KeyValueStore<String, byte[]> store;

    private ModelUpdateProcessor(String storeName, BiPredicate<String, byte[]> offer) {
        this.storeName = storeName;
        this.offer = offer;
    }

    /** For {@code models}: a tombstone there is no snapshot and is ignored. */
    static ModelUpdateProcessor models(ModelRegistry registry) {
        return new ModelUpdateProcessor(STORE, (key, value) -> value != null && registry.offer(key, value));
    }

    /** For {@code model-control}: a snapshot pins its model, a tombstone unpins it. */
    static ModelUpdateProcessor control(ModelRegistry registry) {
        return new ModelUpdateProcessor(CONTROL_STORE, registry::pin);
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || !offer.test(record.key(), record.value())) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
