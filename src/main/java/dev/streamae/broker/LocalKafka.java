package dev.streamae.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A real, single-node Apache Kafka broker (KRaft, combined broker and controller) running inside this
 * JVM from Kafka's own jars: for the demo, {@code streamae broker}, and tests on a real broker.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #start()} / {@link Builder#start()} format the data directory (unless already
 *       formatted) and return only once the broker answers an Admin {@code describeCluster}; a broker
 *       that is not ready within the startup timeout is shut down and an {@link IllegalStateException}
 *       says why. Any failure during start leaves nothing running.</li>
 *   <li>It listens on 127.0.0.1 only. The client port is free-picked (bind port 0, release, retry on a
 *       clash) unless {@link Builder#port(int) fixed}; once a broker has started, its client port is
 *       kept for {@link #restart()}, so clients' bootstrap address stays valid.</li>
 *   <li>{@link #stop()} then {@link #restart()} (or {@code restart()} alone) restarts the same broker on
 *       the same port and data directory: records written before survive.</li>
 *   <li>{@link #close()} shuts down (also after a failed start) and deletes the data directory if it was
 *       a temporary one; a directory given to {@link Builder#dataDir(Path)} is kept, so the next
 *       {@code LocalKafka} on it sees the same topics and records.</li>
 * </ul>
 *
 * <p>Settings (see {@link BrokerSettings} for each reason): a one-node dev broker on a small machine,
 * so internal topics have replication factor 1, groups form without the initial rebalance delay,
 * topics are never auto-created, records up to {@value #MAX_MESSAGE_BYTES} bytes fit, and thread
 * counts and buffers are small.
 *
 * <p>Kafka's server code halts the JVM on a fatal fault; {@link KafkaExitGuard} (installed on first
 * use, JVM-wide) turns that into an exception, so a failed broker fails its start instead of killing
 * the embedding process.
 *
 * <p>Extra broker properties are applied last and win over everything above (e.g. to switch the
 * {@value #LISTENER} listener to SASL later); client-side settings the broker then requires are given
 * with {@link Builder#clientProperty(String, Object)} and are used by the readiness check and returned
 * by {@link #clientProperties()}.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

    /** Name of the client (and inter-broker) listener. */
    public static final String LISTENER = "BROKER";
    /** Name of the KRaft controller listener. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Largest record batch the broker accepts: model snapshots are ~2.4 MB with optimiser state. */
    public static final int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

    private static final String HOST = Ports.HOST;
    /** Free-picked ports can be taken between our probe and Kafka's bind; a few retries cover that. */
    private static final int BIND_ATTEMPTS = 5;
    /** How long past the startup timeout to wait for Kafka's own startup deadline to take effect. */
    private static final Duration STUCK_STARTUP_GRACE = Duration.ofSeconds(30);

    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final Map<String, Object> brokerOverrides;
    private final Map<String, Object> clientOverrides;
    private final int defaultPartitions;
    private final Duration startupTimeout;
    private final List<Consumer<String>> faultListeners = new CopyOnWriteArrayList<>();

    /** 0 until chosen; pinned once given or once a start succeeded (clients know it from then on). */
    private int port;
    private boolean portPinned;
    private int controllerPort;
    private KafkaRaftServer server;
    private boolean closed;
    private long lastStartMillis = -1;

    private LocalKafka(Builder b) {
        KafkaExitGuard.install();
        try {
            this.deleteDataDirOnClose = b.dataDir == null;
            this.dataDir = b.dataDir != null
                    ? Files.createDirectories(b.dataDir.toAbsolutePath())
                    : Files.createTempDirectory("streamae-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker data directory", e);
        }
        this.port = b.port;
        this.portPinned = b.port != 0;
        this.brokerOverrides = Map.copyOf(b.brokerProperties);
        this.clientOverrides = Map.copyOf(b.clientProperties);
        this.defaultPartitions = b.defaultPartitions;
        this.startupTimeout = b.startupTimeout;
    }

    /** Starts a broker with all defaults: temporary data directory, free port. */
    public static LocalKafka start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:port} of the client listener. */
    public synchronized String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client listener's port (0 before the first start). */
    public synchronized int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Wall-clock milliseconds the last successful start took, format and readiness check included. */
    public synchronized long lastStartMillis() {
        return lastStartMillis;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** What a client needs to connect: {@code bootstrap.servers} plus the configured client properties. */
    public synchronized Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>(clientOverrides);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /**
     * Stops the broker cleanly (logs flushed, a clean-shutdown marker written) and keeps its port and
     * data directory for {@link #restart()}. Does nothing if it is not running.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        shutdownQuietly(server);
        server = null;
        log.info("Kafka broker on {} stopped in {} ms", bootstrapServers(), millisSince(t0));
    }

    /** Starts the same broker again (stopping it first if running): same port, same data. */
    public synchronized LocalKafka restart() {
        if (closed) {
            throw new IllegalStateException("this LocalKafka is closed");
        }
        stop();
        startServer();
        return this;
    }

    /**
     * Calls {@code listener} with Kafka's reason when embedded Kafka code in this JVM asks to halt it
     * (see {@link KafkaExitGuard}: the halt is refused, so the broker may be left broken), until
     * {@link #close()}. {@code Exit} is JVM-wide, so the fault may come from another embedded broker.
     */
    public void onFatalFault(Consumer<String> listener) {
        Objects.requireNonNull(listener);
        faultListeners.add(listener);
        KafkaExitGuard.addListener(listener);
    }

    /** Stops the broker and, if the data directory was temporary, deletes it. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        faultListeners.forEach(KafkaExitGuard::removeListener);
        stop();
        if (deleteDataDirOnClose) {
            try {
                Utils.delete(dataDir.toFile());
            } catch (IOException e) {
                log.warn("Could not delete the broker data directory {}", dataDir, e);
            }
        }
    }

    private synchronized void startServer() {
        long t0 = System.nanoTime();
        long deadline = t0 + startupTimeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            pickPorts();
            Properties props = BrokerSettings.of(port, controllerPort, logDir(), defaultPartitions, startupTimeout, brokerOverrides);
            KafkaStorage.format(dataDir, logDir(), props);
            KafkaRaftServer candidate = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            try {
                startWithin(candidate, deadline);
                awaitReady(deadline);
                server = candidate;
                portPinned = true;
                lastStartMillis = millisSince(t0);
                log.info("Kafka broker ready on {} (data in {}) after {} ms",
                        bootstrapServers(), dataDir, lastStartMillis);
                return;
            } catch (RuntimeException e) {
                if (!(e instanceof StuckStartupException)) {
                    shutdownQuietly(candidate);
                }
                if (!Ports.isBindFailure(e)) {
                    throw e;
                }
                if (portPinned && !Ports.isFree(port)) {
                    throw new IllegalStateException("Cannot start Kafka: port " + port + " on " + HOST
                            + " is already in use (another broker running?)", e);
                }
                if (attempt >= BIND_ATTEMPTS || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot start Kafka: no free ports after " + attempt
                            + " attempts", e);
                }
                // Only our controller port (or an unpinned client port) clashed: pick again.
                log.info("Port clash starting Kafka (attempt {}), picking new ports", attempt);
                controllerPort = 0;
            }
        }
    }

    /** Picks free ports for whatever is not fixed. The controller port may change between runs. */
    private void pickPorts() {
        try (ServerSocket a = Ports.freeSocket(); ServerSocket b = Ports.freeSocket()) {
            if (!portPinned) {
                port = a.getLocalPort();
            }
            if (controllerPort == 0) {
                controllerPort = b.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe for free ports on " + HOST, e);
        }
    }

    private Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    /**
     * Runs {@code startup()} on its own thread so that a caller gets an error, never a hang. Kafka
     * aborts its own startup at {@code server.max.startup.time.ms} (set to our timeout) and shuts
     * itself down; the extra grace here is only for a startup stuck outside those guarded waits.
     */
    private void startWithin(KafkaRaftServer candidate, long deadline) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                candidate.startup();
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "local-kafka-startup");
        t.setDaemon(true);
        t.start();
        try {
            started.get(Math.max(0, deadline - System.nanoTime()) + STUCK_STARTUP_GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("Kafka broker failed to start on " + bootstrapServers() + ": " + cause, cause);
        } catch (TimeoutException e) {
            // BrokerServer.awaitShutdown() never returns for a broker stuck in STARTING: ask it to stop
            // in the background and give up on it rather than hang the caller.
            Thread stopper = new Thread(candidate::shutdown, "local-kafka-abandon");
            stopper.setDaemon(true);
            stopper.start();
            throw new StuckStartupException("Kafka broker did not start within " + startupTimeout.toMillis()
                    + " ms (plus " + STUCK_STARTUP_GRACE.toSeconds() + " s grace); abandoned it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    /** A startup that did not return: its server must not be awaited. */
    private static final class StuckStartupException extends IllegalStateException {
        StuckStartupException(String message) {
            super(message);
        }
    }

    /** Ready means: a real client gets an answer listing this broker. */
    private void awaitReady(long deadline) {
        Map<String, Object> props = clientProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-readiness");
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(remaining, TimeUnit.MILLISECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " did not answer describeCluster within "
                + startupTimeout.toMillis() + " ms" + (last == null ? "" : ": " + last.getCause()), last);
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (Throwable e) {
            // Shutting down a half-started server can fail on parts that never started; nothing to do.
            log.debug("Error while shutting down Kafka", e);
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Options for a {@link LocalKafka}; {@link #start()} builds and starts it. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private final Map<String, Object> brokerProperties = new LinkedHashMap<>();
        private final Map<String, Object> clientProperties = new LinkedHashMap<>();
        private int defaultPartitions = 1;
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Keep data here (created if missing, kept on close); default: a temp dir deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir);
            return this;
        }

        /** Fixed client port, e.g. 9092 for {@code streamae broker}; default: a free port. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** A broker property applied after (and over) LocalKafka's own settings. */
        public Builder brokerProperty(String name, Object value) {
            brokerProperties.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Builder brokerProperties(Map<String, ?> props) {
            props.forEach(this::brokerProperty);
            return this;
        }

        /** A client property clients need for this broker (e.g. SASL settings); see {@link #clientProperties()}. */
        public Builder clientProperty(String name, Object value) {
            clientProperties.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** {@code num.partitions}: partitions of a topic created without a count. Default 1. */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /** How long a start may take before it is abandoned with an error. Default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Builds the broker and starts it; on failure nothing is left running or on disk (temp dir). */
        public LocalKafka start() {
            LocalKafka kafka = new LocalKafka(this);
            try {
                kafka.startServer();
                return kafka;
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
        }
    }
}
