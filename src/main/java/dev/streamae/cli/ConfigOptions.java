package dev.streamae.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration flags shared by every command that talks to Kafka. */
final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file (default: config/<command>.properties when it exists).")
    Path config;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (overrides bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state directory (overrides state.dir).")
    Path stateDir;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any StreamAE, Kafka client or Kafka Streams setting; repeatable. Overrides file and environment.")
    List<String> assignments = new ArrayList<>();

    /** File, then STREAMAE_* environment, then flags. */
    Map<String, String> load(String defaultFileName) {
        Path file = config;
        if (file == null) {
            Path candidate = Path.of("config", defaultFileName);
            file = Files.isRegularFile(candidate) ? candidate : null;
        }
        Map<String, String> flags = new LinkedHashMap<>(ConfigLoader.parseAssignments(assignments));
        if (bootstrapServers != null) {
            flags.put("bootstrap.servers", bootstrapServers);
        }
        if (stateDir != null) {
            flags.put("state.dir", stateDir.toString());
        }
        return ConfigLoader.load(file, System.getenv(), flags);
    }

    static String bootstrap(Map<String, String> config) {
        String servers = config.get("bootstrap.servers");
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers: set bootstrap.servers, "
                    + "STREAMAE_BOOTSTRAP_SERVERS or --bootstrap-servers");
        }
        return servers;
    }
}
