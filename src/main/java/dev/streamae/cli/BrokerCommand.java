package dev.streamae.cli;

import dev.streamae.broker.LocalKafka;
import dev.streamae.streams.TopicAdmin;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamae broker}: a single-node KRaft Kafka broker ({@link LocalKafka}) in this process,
 * until Ctrl-C.
 *
 * <p>Stopping: Ctrl-C (SIGINT/SIGTERM) runs a shutdown hook that calls {@link #stop()} and waits for
 * the broker to close cleanly (logs flushed, so the next start needs no recovery). Tests call
 * {@link #stop()} directly.
 *
 * <p>Fatal faults: {@link LocalKafka} refuses Kafka's {@code Exit.halt} JVM-wide, which is right when
 * the broker is embedded in tests or the demo, but would leave this command running a broken
 * broker (e.g. after its log directory failed) that still looks alive. So this command listens for
 * such a fault and ends: it closes the broker and exits with status 1, as the standalone Kafka
 * server would, without halting the JVM itself (which would also kill a test that runs it).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a local single-node Apache Kafka broker (KRaft, listening on 127.0.0.1 only) "
                + "until interrupted (Ctrl-C), and creates StreamAE's topics on it.",
                "Data is kept in --data-dir across runs. For development and the demo; use a real cluster "
                        + "(or docker-compose.yml) for anything else."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by Ctrl-C", "1:the broker could not start, topics did not match, "
                + "or Kafka hit a fatal fault", "2:invalid command line"})
final class BrokerCommand implements Callable<Integer> {

    /** How long closing the broker may take before the command gives up on it. */
    private static final long CLOSE_SECONDS = 60;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "streamae-state/broker",
            description = "Where the broker keeps its data; kept across runs. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create (or verify) StreamAE's topics once the broker is up. Default: ${DEFAULT-VALUE}.")
    boolean createTopics;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile String fatalFault;

    /** Asks a running (or starting) broker command to close its broker and return. */
    void stop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Registered before the start, so that Ctrl-C during a start still closes the broker cleanly.
        Thread hook = new Thread(this::stopAndAwait, "streamae-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(out, err);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down and the hook is what stopped us: nothing to remove.
            }
        }
    }

    private int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        LocalKafka kafka;
        try {
            kafka = LocalKafka.builder().port(port).dataDir(dataDir).start();
        } catch (RuntimeException e) {
            return fail(err, "cannot start the broker: " + e.getMessage());
        }
        String error = null;
        try {
            kafka.onFatalFault(fault -> {
                fatalFault = fault;
                stop();
            });
            if (createTopics) {
                try (Admin admin = kafka.admin()) {
                    TopicSetup.ensureAndReport(admin, TopicAdmin.Options.defaults(), kafka.bootstrapServers(), out);
                }
            }
            out.printf("Kafka broker ready; bootstrap servers: %s (data in %s)%nPress Ctrl-C to stop.%n",
                    kafka.bootstrapServers(), kafka.dataDir());
            out.flush();
            stopRequested.await();
        } catch (IllegalStateException | IllegalArgumentException | KafkaException e) {
            error = e.getMessage();
        } finally {
            closeWithin(kafka, err);
        }
        if (error != null) {
            return fail(err, error);
        }
        if (fatalFault != null) {
            return fail(err, fatalFault + "; the broker was stopped");
        }
        out.println("broker stopped");
        out.flush();
        return 0;
    }

    /** Closes the broker, but never hangs the command on a broker that a fatal fault left stuck. */
    private static void closeWithin(LocalKafka kafka, PrintWriter err) throws InterruptedException {
        Thread closer = new Thread(kafka::close, "streamae-broker-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(CLOSE_SECONDS));
        if (closer.isAlive()) {
            err.println("streamae broker: the broker did not stop within " + CLOSE_SECONDS + " s; giving up on it");
            err.flush();
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("streamae broker: " + message);
        err.flush();
        return 1;
    }

    /** The shutdown hook: stop, then hold the JVM until the broker has closed. */
    private void stopAndAwait() {
        stop();
        try {
            finished.await(CLOSE_SECONDS + 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
