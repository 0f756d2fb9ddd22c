package dev.streamae.cli;

import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.streams.StreamsApp;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Option;

/**
 * How the long-running commands ({@code trainer}, {@code scorer}) run their app: started, closed
 * cleanly on Ctrl-C, and kept alive with a status line now and then until the app stops. A picocli
 * mixin, so the status option is declared once.
 */
final class RunLoop {

    /** How long an app may take to reach RUNNING (joining the group, restoring its state). */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Print a status line this often (0: never). Default: ${DEFAULT-VALUE}.")
    int statusSeconds;

    /**
     * Starts {@code app}, prints {@code running} (and where its metrics are served), then a status
     * line every {@code --status-interval} seconds until the app stops (Ctrl-C closes it through a
     * shutdown hook).
     */
    void serve(StreamsApp app, PrometheusEndpoint prometheus, String running, Supplier<String> status)
            throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, app.name() + "-shutdown"));
        app.start(START_TIMEOUT);
        System.out.println(prometheus.isServing() ? running + "; metrics at " + prometheus.url() : running);
        long next = System.nanoTime() + statusSeconds * 1_000_000_000L;
        while (true) {
            KafkaStreams.State state = app.streams().state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                    || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                System.out.println("stopped (" + state + ")");
                return;
            }
            Thread.sleep(200);
            if (statusSeconds > 0 && System.nanoTime() >= next) {
                System.out.println(status.get());
                next += statusSeconds * 1_000_000_000L;
            }
        }
    }
}
