package dev.streamae.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The broker properties of a {@link LocalKafka}: a one-node KRaft development broker on a small
 * machine. Reasons, setting by setting, are in the comments; extra properties are applied last and
 * win over all of them.
 *
 * <p>The quorum is static ({@code controller.quorum.voters}) rather than dynamic
 * ({@code format --standalone}): a dynamic quorum records the controller's address in the metadata
 * log, so a restarted broker could never move its controller to another port after a clash.
 */
final class BrokerSettings {

    static final int NODE_ID = 1;

    private BrokerSettings() {
    }

    static Properties of(int port, int controllerPort, Path logDir, int defaultPartitions,
                         Duration startupTimeout, Map<String, Object> overrides) {
        String host = Ports.HOST;
        String broker = LocalKafka.LISTENER;
        String controller = LocalKafka.CONTROLLER_LISTENER;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", NODE_ID);
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("controller.listener.names", controller);
        // Loopback only: a dev broker must not be reachable from the network.
        p.put("listeners", broker + "://" + host + ":" + port + "," + controller + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", broker + "://" + host + ":" + port);
        p.put("listener.security.protocol.map", broker + ":PLAINTEXT," + controller + ":PLAINTEXT");
        p.put("inter.broker.listener.name", broker);
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic must make do with one replica, or transactions and consumer
        // groups never work. Few partitions: creating 50 on first use is slow and buys nothing here.
        p.put("offsets.topic.replication.factor", 1);
        p.put("offsets.topic.num.partitions", 5);
        p.put("transaction.state.log.replication.factor", 1);
        p.put("transaction.state.log.min.isr", 1);
        p.put("transaction.state.log.num.partitions", 5);
        p.put("share.coordinator.state.topic.replication.factor", 1);
        p.put("share.coordinator.state.topic.min.isr", 1);
        p.put("default.replication.factor", 1);
        p.put("min.insync.replicas", 1);
        p.put("num.partitions", defaultPartitions);
        // Groups (classic and KIP-1071 streams groups) form at once instead of after 3 s.
        p.put("group.initial.rebalance.delay.ms", 0);
        p.put("group.streams.initial.rebalance.delay.ms", 0);
        // An exactly-once app's first write to a partition in a new transaction often arrives while
        // the previous transaction's markers are still being written; the broker then retries
        // after this backoff, 20 ms by default, which alone broke the scorer's 50 ms p99 target
        // (transactional flush p90 on this broker: 24 ms at 20, 2.8 ms at 1).
        p.put("add.partitions.to.txn.retry.backoff.ms", 1);
        // StreamAE creates its topics explicitly: a mistyped topic name must fail, not create a topic.
        p.put("auto.create.topics.enable", false);
        // Kafka's own bound on startup (default: none): it then fails and shuts itself down cleanly.
        p.put("server.max.startup.time.ms", startupTimeout.toMillis());
        // Model snapshots are ~2.4 MB with optimiser state.
        p.put("message.max.bytes", LocalKafka.MAX_MESSAGE_BYTES);
        // Two shared cores: Kafka's defaults (3 network, 8 IO, 10 background threads) are for servers.
        p.put("num.network.threads", 2);
        p.put("num.io.threads", 2);
        p.put("background.threads", 2);
        p.put("num.recovery.threads.per.data.dir", 1);
        p.put("log.cleaner.threads", 1);
        // The cleaner allocates this on the heap up front; the default 128 MB is for millions of keys,
        // and this heap is shared with DL4J.
        p.put("log.cleaner.dedupe.buffer.size", 8 * 1024 * 1024);
        p.putAll(overrides);
        Properties props = new Properties();
        p.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        return props;
    }
}
