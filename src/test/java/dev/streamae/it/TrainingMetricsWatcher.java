package dev.streamae.it;

import dev.streamae.broker.LocalKafka;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Follows {@code training-metrics} (read_committed, see {@link TopicTail}) and keeps every record. */
final class TrainingMetricsWatcher implements AutoCloseable {

    private final List<TrainingMetrics> records = new CopyOnWriteArrayList<>();
    private final TopicTail tail;

    TrainingMetricsWatcher(LocalKafka kafka) {
        JsonSerde<TrainingMetrics> serde = JsonSerde.of(TrainingMetrics.class);
        tail = new TopicTail(kafka, Topics.TRAINING_METRICS, r -> records.add(serde.fromBytes(r.value())));
    }

    List<TrainingMetrics> records() {
        return List.copyOf(records);
    }

    /** The records of one model. */
    List<TrainingMetrics> records(String model) {
        return records.stream().filter(r -> r.model().equals(model)).toList();
    }

    /** Examples the trainer of {@code model} has folded in by its latest record: learnt, or skipped as anomalies. */
    long latestExamplesDone(String model) {
        List<TrainingMetrics> mine = records(model);
        return mine.isEmpty() ? 0 : mine.get(mine.size() - 1).examplesSeen() + mine.get(mine.size() - 1).skippedAnomalies();
    }

    @Override
    public void close() throws InterruptedException {
        tail.close();
    }
}
