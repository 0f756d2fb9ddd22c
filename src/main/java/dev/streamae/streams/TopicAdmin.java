package dev.streamae.streams;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Makes a cluster's topics match their {@link TopicDeclaration}s: creates the missing ones and
 * verifies the existing ones. It never alters an existing topic: changing partitions or configs of a
 * live topic is an operator's decision (more partitions re-key the data), so a mismatch is an error.
 *
 * <p>Contract of {@link #ensure(Admin, Collection, Options)}:
 * <ul>
 *   <li>A missing topic is created with the declared (or overridden) partitions and configs, and
 *       replication factor min(3, brokers in the cluster) unless one is given.</li>
 *   <li>An existing topic with fewer partitions than declared, or with a declared config set to a
 *       different value, fails the whole call with one {@link IllegalStateException} naming every
 *       topic, setting, expected and actual value. Existing topics are checked before anything is
 *       created, so a run that fails on one creates nothing (unless the bad topic appeared only
 *       while we ran). More partitions than declared is fine (logged).</li>
 *   <li>Idempotent: a second call creates nothing. Race-safe: a topic another process creates
 *       between our listing and our create ({@link TopicExistsException}) is verified instead.</li>
 *   <li>Returns only once created topics are visible in the broker's metadata, so a client started
 *       right after does not see them as missing.</li>
 *   <li>Admin failures and timeouts surface as {@link KafkaException}s.</li>
 * </ul>
 */
public final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
    private static final int MAX_DEFAULT_REPLICATION = 3;

    private TopicAdmin() {
    }

    /** What {@link #ensure} did, in declaration order: for a CLI to print. */
    public record Report(List<String> created, List<String> verified) {

        public Report {
            created = List.copyOf(created);
            verified = List.copyOf(verified);
        }

        @Override
        public String toString() {
            return "created " + created.size() + " topic(s)" + (created.isEmpty() ? "" : " " + created)
                    + ", verified " + verified.size() + (verified.isEmpty() ? "" : " " + verified);
        }
    }

    /**
     * Options for one run.
     *
     * @param replicationFactor for created topics; 0 means min(3, brokers in the cluster)
     * @param partitions        per-topic partition counts replacing the declared ones for this run
     *                          (both to create with and as the minimum to verify), e.g. fewer for a demo
     * @param timeout           for the whole call
     */
    public record Options(int replicationFactor, Map<String, Integer> partitions, Duration timeout) {

        public Options {
            if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replication factor must be >= 1 (or 0 for the default), got " + replicationFactor);
            }
            partitions = Map.copyOf(partitions);
            partitions.forEach((topic, n) -> {
                if (n < 1) {
                    throw new IllegalArgumentException("partitions for '" + topic + "' must be >= 1, got " + n);
                }
            });
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
        }

        public static Options defaults() {
            return new Options(0, Map.of(), Duration.ofSeconds(30));
        }

        public Options withReplicationFactor(int rf) {
            return new Options(rf, partitions, timeout);
        }

        public Options withPartitions(Map<String, Integer> overrides) {
            return new Options(replicationFactor, overrides, timeout);
        }

        public Options withTimeout(Duration t) {
            return new Options(replicationFactor, partitions, t);
        }
    }

    /** {@link #ensure(Admin, Collection, Options)} with {@link Options#defaults()}. */
    public static Report ensure(Admin admin, Collection<TopicDeclaration> topics) {
        return ensure(admin, topics, Options.defaults());
    }

    /**
     * Creates missing topics and verifies existing ones; see the class comment for the contract.
     *
     * @throws IllegalArgumentException if {@code topics} repeats a name or an override names an
     *                                  undeclared topic (a typo must not pass silently)
     * @throws IllegalStateException    if an existing topic does not match its declaration
     */
    public static Report ensure(Admin admin, Collection<TopicDeclaration> topics, Options options) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Map<String, TopicDeclaration> wanted = applyOverrides(topics, options.partitions());

        Set<String> existing = get(admin.listTopics().names(), deadline, "list topics");
        List<String> verified = new ArrayList<>();
        List<TopicDeclaration> missing = new ArrayList<>();
        for (TopicDeclaration t : wanted.values()) {
            if (existing.contains(t.name())) {
                verified.add(t.name());
            } else {
                missing.add(t);
            }
        }
        // Verify before creating anything, so that a run that fails on a mismatch changes nothing.
        failOnProblems(retryWhileUnknown(deadline, () -> verify(admin, verified, wanted, deadline)));

        List<String> created = new ArrayList<>();
        if (!missing.isEmpty()) {
            short rf = replicationFactor(admin, options, deadline);
            List<NewTopic> newTopics = missing.stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), rf).configs(t.configs()))
                    .toList();
            CreateTopicsResult result = admin.createTopics(newTopics);
            List<String> raced = new ArrayList<>();
            for (TopicDeclaration t : missing) {
                try {
                    get(result.values().get(t.name()), deadline, "create topic '" + t.name() + "'");
                    created.add(t.name());
                    log.info("Created topic {} ({} partitions, replication {}, configs {})", t.name(), t.partitions(), rf, t.configs());
                } catch (TopicExistsException e) {
                    // Someone created it after we listed (or our broker's metadata lagged): it must match too.
                    log.info("Topic {} was created concurrently; verifying it instead", t.name());
                    raced.add(t.name());
                }
            }
            // Creation is acknowledged by the controller; the broker we talk to may lag behind.
            if (!created.isEmpty()) {
                retryWhileUnknown(deadline, () -> get(admin.describeTopics(created).allTopicNames(), deadline, "describe created topics"));
            }
            failOnProblems(retryWhileUnknown(deadline, () -> verify(admin, raced, wanted, deadline)));
            verified.addAll(raced);
        }

        List<String> order = List.copyOf(wanted.keySet());
        verified.sort((a, b) -> Integer.compare(order.indexOf(a), order.indexOf(b)));
        Report report = new Report(created, verified);
        log.debug("Topics ensured: {}", report);
        return report;
    }

    private static void failOnProblems(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Existing topics do not match their declarations (" + TopicDeclarations.RESOURCE
                    + "): " + String.join("; ", problems)
                    + ". StreamAE does not alter existing topics: fix them with kafka-topics/kafka-configs, or delete them.");
        }
    }

    private static Map<String, TopicDeclaration> applyOverrides(Collection<TopicDeclaration> topics, Map<String, Integer> overrides) {
        Map<String, TopicDeclaration> wanted = new LinkedHashMap<>();
        for (TopicDeclaration t : topics) {
            TopicDeclaration effective = overrides.containsKey(t.name()) ? t.withPartitions(overrides.get(t.name())) : t;
            if (wanted.put(t.name(), effective) != null) {
                throw new IllegalArgumentException("topic '" + t.name() + "' is given twice");
            }
        }
        Set<String> unknown = new TreeSet<>(overrides.keySet());
        unknown.removeAll(wanted.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("partition overrides for undeclared topics " + unknown + "; declared: " + wanted.keySet());
        }
        return wanted;
    }

    private static short replicationFactor(Admin admin, Options options, long deadline) {
        if (options.replicationFactor() > 0) {
            return (short) options.replicationFactor();
        }
        int brokers = get(admin.describeCluster().nodes(), deadline, "describe cluster").size();
        return (short) Math.max(1, Math.min(MAX_DEFAULT_REPLICATION, brokers));
    }

    /** Every way the named topics differ from their declarations, as readable sentences. */
    private static List<String> verify(Admin admin, List<String> names, Map<String, TopicDeclaration> wanted, long deadline) {
        List<String> problems = new ArrayList<>();
        if (names.isEmpty()) {
            return problems;
        }
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(names).allTopicNames(), deadline, "describe topics");
        List<ConfigResource> withConfigs = names.stream()
                .filter(n -> !wanted.get(n).configs().isEmpty())
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        Map<ConfigResource, Config> configs = withConfigs.isEmpty() ? Map.of()
                : get(admin.describeConfigs(withConfigs).all(), deadline, "describe topic configs");
        for (String name : names) {
            TopicDeclaration t = wanted.get(name);
            int actual = descriptions.get(name).partitions().size();
            if (actual < t.partitions()) {
                problems.add("topic '" + name + "': partitions expected at least " + t.partitions() + ", actual " + actual);
            } else if (actual > t.partitions()) {
                log.info("Topic {} has {} partitions, more than the {} declared: fine", name, actual, t.partitions());
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
            t.configs().forEach((key, expected) -> {
                ConfigEntry entry = config.get(key);
                String value = entry == null ? null : entry.value();
                if (!sameValue(expected, value)) {
                    problems.add("topic '" + name + "': " + key + " expected '" + expected + "', actual "
                            + (value == null ? "not set" : "'" + value + "'"));
                }
            });
        }
        return problems;
    }

    /** Compares config values; list values (e.g. {@code cleanup.policy=compact,delete}) in any order. */
    static boolean sameValue(String expected, String actual) {
        if (actual == null) {
            return false;
        }
        return items(expected).equals(items(actual));
    }

    private static Set<String> items(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Metadata of a just-created topic reaches the broker shortly after the controller: retry briefly. */
    private static <T> T retryWhileUnknown(long deadline, Supplier<T> action) {
        while (true) {
            try {
                return action.get();
            } catch (UnknownTopicOrPartitionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(50);
            }
        }
    }

    /** Waits for an Admin future until the deadline, unwrapping its failure. */
    private static <T> T get(KafkaFuture<T> future, long deadline, String what) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KafkaException ke && (ke instanceof TopicExistsException || ke instanceof UnknownTopicOrPartitionException)) {
                throw ke;
            }
            throw new KafkaException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("Timed out trying to " + what);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }
}
