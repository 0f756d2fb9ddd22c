package dev.streamae.cli;

import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclaration;
import dev.streamae.streams.TopicDeclarations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamae topics}: creates or verifies StreamAE's topics, or describes them. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Creates the topics declared in topics/topics.json that are missing and verifies the ones "
                + "that exist (partitions at least as declared, declared configs equal). Idempotent: run it "
                + "before the trainer and scorers, as often as you like.",
                "Existing topics are never altered: a mismatch is reported and the exit code is 1.",
                "The Admin client gets every Kafka setting of the configuration (security included)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all topics created or verified", "1:a topic does not match, or Kafka could not be reached",
                "2:invalid command line"})
final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--partitions", paramLabel = "TOPIC=N", split = ",",
            description = "Partitions for TOPIC instead of the declared count (to create with, and the minimum "
                    + "an existing topic must have); repeatable or comma-separated, e.g. --partitions images=2,image-scores=2.")
    Map<String, Integer> partitions = new LinkedHashMap<>();

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "0",
            description = "Replication factor of created topics (default: min(3, brokers in the cluster)).")
    int replicationFactor;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up after this many seconds. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--describe",
            description = "Print the declared topics as a Markdown table (name, partitions, key, value, writers, "
                    + "readers, configs) and exit; does not connect to Kafka.")
    boolean describe;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (describe) {
            out.print(table(TopicDeclarations.load().all()));
            out.flush();
            return 0;
        }
        try {
            Map<String, String> config = options.load("topics.properties");
            String bootstrap = ConfigOptions.bootstrap(config);
            TopicAdmin.Options adminOptions = new TopicAdmin.Options(replicationFactor, partitions,
                    Duration.ofSeconds(Math.max(1, timeoutSeconds)));
            Admin admin = Admin.create(TopicSetup.clientConfig(config));
            try {
                TopicSetup.ensureAndReport(admin, adminOptions, bootstrap, out);
            } finally {
                // Not close(): it would wait for requests still pending against an unreachable broker.
                admin.close(Duration.ZERO);
            }
            return 0;
        } catch (IllegalStateException | IllegalArgumentException | KafkaException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("streamae topics: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** The declared topics as a Markdown table, in declaration order. */
    static String table(List<TopicDeclaration> topics) {
        StringBuilder sb = new StringBuilder();
        sb.append("| topic | partitions | key | value | writers | readers | configs |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (TopicDeclaration t : topics) {
            sb.append("| ").append(String.join(" | ", t.name(), Integer.toString(t.partitions()), cell(t.key()),
                    cell(t.value()), cell(t.writers()), cell(t.readers()), TopicSetup.configs(t))).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        return text == null || text.isBlank() ? "-" : text.replace("|", "\\|");
    }
}
