package dev.streamae.streams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * StreamAE's own metrics, registered in Kafka Streams' metrics registry, so they are reported
 * wherever Kafka Streams' metrics are: over JMX as
 * {@code kafka.streams:type=<group>,thread-id=<thread>,task-id=<task>[,model=<model>]} beside the built-in task
 * metrics, and in {@code KafkaStreams#metrics()}. One set per task (the trainer's: per model of a
 * task), removed when the task closes (or the trainer evicts the model).
 * The names are listed in the README's monitoring section.
 */
final class TaskSensors {

    static final String TRAINER_GROUP = "streamae-trainer-metrics";
    static final String SCORER_GROUP = "streamae-scorer-metrics";

    private final StreamsMetrics metrics;
    private final String group;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final String prefix;
    private final List<Sensor> sensors = new ArrayList<>();

    TaskSensors(ProcessorContext<?, ?> context, String group) {
        this(context, group, null);
    }

    /** The sensors of one model of a task: tagged {@code model=<name>} as well (null: no model tag). */
    TaskSensors(ProcessorContext<?, ?> context, String group, String model) {
        this.metrics = context.metrics();
        this.group = group;
        tags.put("thread-id", Thread.currentThread().getName());
        tags.put("task-id", context.taskId().toString());
        if (model != null) {
            tags.put("model", model);
        }
        this.prefix = group + "." + context.taskId() + "." + (model == null ? "" : model + ".");
    }

    /** {@code <name>-total} and {@code <name>-rate} (per second). */
    Sensor counter(String name, String description) {
        Sensor sensor = sensor(name);
        sensor.add(metricName(name + "-total", "Total " + description), new CumulativeSum());
        sensor.add(metricName(name + "-rate", "Per-second rate of " + description), new Rate());
        return sensor;
    }

    /** {@code <name>}: the last recorded value. */
    Sensor gauge(String name, String description) {
        Sensor sensor = sensor(name);
        sensor.add(metricName(name, description), new Value());
        return sensor;
    }

    /** {@code <name>-avg} and {@code <name>-max} over the metrics window. */
    Sensor distribution(String name, String description) {
        Sensor sensor = sensor(name);
        sensor.add(metricName(name + "-avg", "Average " + description), new Avg());
        sensor.add(metricName(name + "-max", "Maximum " + description), new Max());
        return sensor;
    }

    private Sensor sensor(String name) {
        Sensor sensor = metrics.addSensor(prefix + name, Sensor.RecordingLevel.INFO);
        sensors.add(sensor);
        return sensor;
    }

    private MetricName metricName(String name, String description) {
        return new MetricName(name, group, description, tags);
    }

    void close() {
        sensors.forEach(metrics::removeSensor);
        sensors.clear();
    }
}
