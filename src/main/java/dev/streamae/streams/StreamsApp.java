package dev.streamae.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one topology: starts it, waits until it is {@code RUNNING} (or fails clearly), and closes it.
 * An exception that escapes a stream thread (bad records never do: the handlers catch them)
 * replaces the thread, so a transient fault does not stop the application.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final String name;
    private final String applicationId;
    private final KafkaStreams streams;

    public StreamsApp(String name, Topology topology, Properties props) {
        this.name = name;
        this.applicationId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        this.streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(exception -> {
            LOG.error("{}: a stream thread died; replacing it", name, exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** Starts the topology and waits up to {@code timeout} for it to be running. */
    public StreamsApp start(Duration timeout) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            LOG.debug("{}: {} -> {}", name, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not reach RUNNING within " + timeout.toSeconds()
                    + " s (state " + streams.state() + "): is the broker reachable and are the topics created?");
        }
        LOG.info("{} is running", name);
        return this;
    }

    public String name() {
        return name;
    }

    /** The Kafka Streams {@code application.id}: its consumer group and the prefix of its internal topics. */
    public String applicationId() {
        return applicationId;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
