package dev.streamae.streams;

import static dev.streamae.streams.TopologyTestSupport.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.ImageDecoder;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The scorer's micro-batching against the wall clock, task by task: when a partial batch is
 * scored, and that a stream thread requests one commit per slot for all its tasks, right after
 * they scored (SETTINGS: slots of 20 ms, ticks of 4 ms).
 */
class ScoringProcessorTest {

    private final ScoreSlots slots = new ScoreSlots(SETTINGS.scoreMaxDelay(), SETTINGS.scoreBatchSize());

    private final class Task {
        final MockProcessorContext<String, ScoreRecord> context = new MockProcessorContext<>();
        final ScoringProcessor processor = new ScoringProcessor(SETTINGS,
                new ModelRegistry(SETTINGS, FakeAutoencoder.factory()), new ScorerMetrics(), slots,
                new ImageDecoder(SETTINGS.width(), SETTINGS.height()));
        final KeyValueStore<Integer, Long> pending = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ScoringProcessor.PENDING_STORE), Serdes.Integer(), Serdes.Long())
                .withLoggingDisabled().build();
        private long offset = 100;

        Task(long startMs) {
            pending.init(context.getStateStoreContext(), pending);
            context.addStateStore(pending);
            context.setCurrentSystemTimeMs(startMs);
            processor.init(context);
        }

        void image(String id) {
            context.setRecordMetadata(Topics.IMAGES, 0, offset++);
            processor.process(new Record<>(id, new ValidImage(id, new float[4], null, context.currentSystemTimeMs()),
                    context.currentSystemTimeMs()));
        }

        void tick(long nowMs) {
            context.setCurrentSystemTimeMs(nowMs);
            List<CapturedPunctuator> punctuators = context.scheduledPunctuators();
            assertThat(punctuators).hasSize(1);
            assertThat(punctuators.get(0).getInterval().toMillis()).isEqualTo(slots.tickMs());
            punctuators.get(0).getPunctuator().punctuate(nowMs);
        }

        List<String> scored() {
            List<String> ids = context.forwarded().stream().map(f -> (String) f.record().key()).toList();
            context.resetForwards();
            return ids;
        }
    }

    @Test
    void aPartialBatchIsScoredWhenItsSlotIsOverAndCommittedATickLater() {
        Task task = new Task(1_001);
        task.image("a");
        task.image("b");

        task.tick(1_005);
        task.tick(1_017);
        assertThat(task.scored()).as("still in the slot the images arrived in").isEmpty();
        assertThat(task.context.committed()).isFalse();

        task.tick(1_020);
        assertThat(task.scored()).containsExactly("a", "b");
        assertThat(task.context.committed()).as("other tasks of the thread may not have scored yet").isFalse();

        task.tick(1_024);
        assertThat(task.context.committed()).isTrue();
        task.context.resetCommit();
        task.tick(1_028);
        task.tick(1_039);
        assertThat(task.context.committed()).as("one commit per slot").isFalse();
        assertThat(task.scored()).isEmpty();
    }

    @Test
    void anOpenBatchLogsTheOffsetOfItsFirstImageUntilItIsScored() {
        Task task = new Task(5_001);
        assertThat(task.pending.approximateNumEntries()).isZero();
        task.image("a");
        task.image("b");
        assertThat(task.pending.get(0)).as("the offset to read again from after a crash").isEqualTo(100L);

        task.tick(5_020);
        assertThat(task.scored()).containsExactly("a", "b");
        assertThat(task.pending.get(0)).as("scored: nothing to read again").isNull();

        task.image("c");
        assertThat(task.pending.get(0)).isEqualTo(102L);
    }

    @Test
    void aFullBatchIsScoredAtOnce() {
        Task task = new Task(2_001);
        for (int i = 0; i < SETTINGS.scoreBatchSize(); i++) {
            task.image("i" + i);
        }
        assertThat(task.scored()).hasSize(SETTINGS.scoreBatchSize());
        task.tick(2_006);
        assertThat(task.context.committed()).as("its scores are committed a tick into the slot").isTrue();
    }

    @Test
    void theTasksOfOneThreadShareOneCommitPerSlot() {
        Task first = new Task(3_001);
        Task second = new Task(3_002);
        first.image("a");
        second.image("b");

        first.tick(3_020);
        second.tick(3_021);
        assertThat(first.scored()).containsExactly("a");
        assertThat(second.scored()).containsExactly("b");

        first.tick(3_024);
        second.tick(3_025);
        assertThat(first.context.committed()).isTrue();
        assertThat(second.context.committed()).as("the first task's commit covers it").isFalse();
    }

    @Test
    void anIdleTaskRequestsNoCommit() {
        Task task = new Task(4_001);
        task.tick(4_025);
        task.tick(4_045);
        assertThat(task.context.committed()).isFalse();
        assertThat(task.scored()).isEmpty();
    }
}
