package dev.streamae.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Global-store processor of the scorer for {@code model-control}: a snapshot under a model's name
 * pins it (the {@link ModelRegistry} serves it instead of the newest), a tombstone unpins it. Like
 * {@link ModelUpdateProcessor}, Kafka Streams replays the topic through it on restore, so a
 * restarted scorer checks the pins it loads as a running one does and comes back serving them.
 */
final class ModelControlProcessor implements Processor<String, byte[], Void, Void> {

    static final String STORE = "scorer-model-control";

    private final ModelRegistry registry;
    private KeyValueStore<String, byte[]> store;

    ModelControlProcessor(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || !registry.pin(record.key(), record.value())) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
