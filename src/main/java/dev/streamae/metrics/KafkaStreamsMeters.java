package dev.streamae.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Every metric of one Kafka Streams instance as Micrometer meters, kept current: what
 * {@link KafkaStreams#metrics()} reports, that is Kafka Streams' own thread, task and store
 * metrics, StreamAE's task sensors, and the metrics of its consumers (lag among them), producers
 * and admin client. Micrometer's {@link KafkaStreamsMetrics} turns them into meters.
 *
 * <p>Why {@link #refresh()} exists: that binder registers the metrics present when it is bound and
 * looks for new ones once a minute. A Kafka Streams application creates most of its metrics later:
 * per task when tasks are assigned (at start and after every rebalance), per partition when its
 * consumer first fetches. A newly started scorer would show no {@code images-scored} series for up
 * to a minute, and series of tasks that moved to another instance would linger. So before each
 * scrape the current metric names are compared with the bound ones, and on any difference the
 * binder is replaced by a fresh one: comparing the names is cheap, and rebinding happens only when
 * the set changed, i.e. after a rebalance or a first fetch. The values themselves are always live:
 * each meter reads its Kafka metric when scraped. Closing the old binder also removes the meters
 * {@link PrometheusEndpoint} renames ({@code streamae_*}), which the binder's own refresh, looking
 * them up by their Kafka names, would leave behind.
 */
final class KafkaStreamsMeters implements AutoCloseable {

    private final KafkaStreams streams;
    private final MeterRegistry registry;
    private Set<MetricName> bound = Set.of();
    private KafkaStreamsMetrics binder;

    KafkaStreamsMeters(KafkaStreams streams, MeterRegistry registry) {
        this.streams = streams;
        this.registry = registry;
        refresh();
    }

    /** Binds the metrics afresh if their names changed since the last call. */
    synchronized void refresh() {
        Set<MetricName> names = streams.metrics().keySet();
        if (names.equals(bound)) {
            return;
        }
        if (binder != null) {
            binder.close();
        }
        binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        bound = new HashSet<>(names);
    }

    @Override
    public synchronized void close() {
        if (binder != null) {
            binder.close();
            binder = null;
        }
    }
}
