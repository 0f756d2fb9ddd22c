package dev.streamae.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Global-store processor of the scorer: reads every snapshot on {@code models}, keeps only the ones
 * the {@link ModelRegistry} accepts in the global store. {@code StreamsBuilder#addGlobalStore}
 * replays the topic through this processor on restore too, so a restarted scorer validates what
 * it loads exactly as a running one does.
 */
final class ModelUpdateProcessor implements Processor<String, byte[], Void, Void> {

    static final String STORE = "scorer-models";

    private final ModelRegistry registry;
    private KeyValueStore<String, byte[]> store;

    ModelUpdateProcessor(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() != null && record.value() != null && registry.offer(record.key(), record.value())) {
            store.put(record.key(), record.value());
        }
    }
}
