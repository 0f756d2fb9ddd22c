package dev.streamae.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Global-store processor of the trainer: remembers the name of every model that published a
 * {@code training-metrics} record, so that each trainer task counts the deployment's models for
 * {@code models.max}, not only its own. Values are not parsed: only the key counts.
 */
final class KnownModelsProcessor implements Processor<String, byte[], Void, Void> {

    private static final byte[] PRESENT = {1};
    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(TrainingProcessor.KNOWN_MODELS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() != null) {
            store.put(record.key(), PRESENT);
        }
    }
}
