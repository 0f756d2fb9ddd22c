package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A trainer from before models had names kept its one model under bare keys: the default model
 * takes them over, and no other model does.
 */
class StateMigrationTest {

    private static <K> KeyValueStore<K, byte[]> store(String name, org.apache.kafka.common.serialization.Serde<K> keys) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "migration-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props);
        KeyValueStore<K, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys,
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static byte[] logged(long seq, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + bytes.length).putLong(seq).put(bytes).array();
    }

    @Test
    void theDefaultModelTakesOverAnOlderTrainersCheckpointAndLoggedExamples() {
        KeyValueStore<String, byte[]> state = store("state", Serdes.String());
        KeyValueStore<byte[], byte[]> pending = store("pending", Serdes.ByteArray());
        byte[] progress = new TrainerProgress(1_000, 7, 3, 150, 0, 0, 16).toBytes();
        state.put("progress", progress);
        state.put("replay-from-seq", ByteBuffer.allocate(8).putLong(1_007).array());
        state.put("model", new byte[] {9, 9});
        int ringSlots = 54 * 64;
        for (long seq = 1_000; seq < 1_010; seq++) {  // the older ring: the slot as an 8-byte long key
            pending.put(ByteBuffer.allocate(8).putLong(seq % ringSlots).array(), logged(seq, "image " + seq));
        }

        PendingRing ring = new PendingRing(pending);
        StateKeys.migrate(state, "streamae");
        ring.migrate("streamae", ringSlots);
        StateKeys other = new StateKeys("line-1");
        assertThat(other.get(state, StateKeys.PROGRESS)).as("another model takes nothing").isNull();
        assertThat(ring.entries("line-1")).isEmpty();

        StateKeys keys = new StateKeys("streamae");
        assertThat(keys.get(state, StateKeys.PROGRESS)).isEqualTo(progress);
        assertThat(keys.get(state, StateKeys.MODEL)).containsExactly(9, 9);
        assertThat(ByteBuffer.wrap(keys.get(state, StateKeys.SEQ)).getLong()).isEqualTo(1_007);
        assertThat(state.get("progress")).as("the bare keys are gone").isNull();
        List<KeyValue<Long, byte[]>> entries = ring.entries("streamae");
        assertThat(entries).extracting(kv -> kv.key).containsExactlyInAnyOrder(1_000L, 1_001L, 1_002L, 1_003L, 1_004L,
                1_005L, 1_006L, 1_007L, 1_008L, 1_009L);
        assertThat(entries).allSatisfy(kv -> assertThat(new String(kv.value, StandardCharsets.UTF_8))
                .isEqualTo("image " + kv.key));
        assertThat(ring.models()).as("the older keys moved to the model's own").containsExactly("streamae");
        try (var it = pending.all()) {
            it.forEachRemaining(kv -> assertThat(kv.key.length).isNotEqualTo(8));
        }

        state.put(StateKeys.key("streamae", StateKeys.PROGRESS), new TrainerProgress(2_000, 0, 5, 0, 0, 0, 32).toBytes());
        state.put("progress", progress);
        StateKeys.migrate(state, "streamae");
        assertThat(TrainerProgress.fromBytes(keys.get(state, StateKeys.PROGRESS)).examplesSeen())
                .as("a model with keys of its own keeps them").isEqualTo(2_000);
    }
}
