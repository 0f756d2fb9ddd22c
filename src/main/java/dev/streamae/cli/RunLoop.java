package dev.streamae.cli;

import dev.streamae.streams.StreamsApp;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** Keeps a long-running command alive, printing a status line now and then, until its app stops. */
final class RunLoop {

    private RunLoop() {
    }

    static void untilStopped(StreamsApp app, int statusSeconds, Supplier<String> status) throws InterruptedException {
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
