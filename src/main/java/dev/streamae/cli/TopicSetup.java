package dev.streamae.cli;

import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclaration;
import dev.streamae.streams.TopicDeclarations;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The topic step shared by {@code streamae topics} and {@code streamae broker}: create the declared
 * topics that are missing, verify the others ({@link TopicAdmin}), and print what was done.
 */
final class TopicSetup {

    private TopicSetup() {
    }

    /**
     * Kafka client settings from a loaded configuration: every key that is not one of StreamAE's own,
     * so that security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) reach the
     * Admin client exactly as they reach the Streams clients.
     */
    static Map<String, Object> clientConfig(Map<String, String> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (!StreamAeSettings.isOwnKey(key)) {
                out.put(key, value);
            }
        });
        return out;
    }

    /** Ensures every declared topic and prints one line per topic, then a summary naming {@code where}. */
    static TopicAdmin.Report ensureAndReport(Admin admin, TopicAdmin.Options options, String where, PrintWriter out) {
        List<TopicDeclaration> declared = TopicDeclarations.load().all();
        TopicAdmin.Report report = TopicAdmin.ensure(admin, declared, options);
        for (TopicDeclaration t : declared) {
            int partitions = options.partitions().getOrDefault(t.name(), t.partitions());
            String action = report.created().contains(t.name()) ? "created" : "verified";
            out.printf("%-9s %-17s partitions %s%d%s%n", action, t.name(),
                    action.equals("created") ? "" : ">= ", partitions,
                    t.configs().isEmpty() ? "" : ", " + configs(t));
        }
        out.printf("topics on %s: %d created, %d verified%n", where, report.created().size(), report.verified().size());
        out.flush();
        return report;
    }

    /** {@code k=v, k=v} in key order, or {@code -} when the topic uses broker defaults. */
    static String configs(TopicDeclaration t) {
        if (t.configs().isEmpty()) {
            return "-";
        }
        return String.join(", ", t.configs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
