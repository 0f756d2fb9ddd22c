package dev.streamae.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The project's {@code docker-compose.yml}, parsed, for tests that check it or run like it. */
final class ComposeFile {

    static final Path PATH = Path.of("docker-compose.yml");
    /** The app services: the streamae image running one command each. */
    static final List<String> APP_SERVICES = List.of("topics", "trainer", "scorer", "dashboard");
    /** The services of the {@code monitoring} profile, provisioned from {@code config/monitoring}. */
    static final List<String> MONITORING_SERVICES = List.of("prometheus", "grafana", "kafka-ui");

    final JsonNode root;

    private ComposeFile(JsonNode root) {
        this.root = root;
    }

    static ComposeFile load() {
        try {
            return new ComposeFile(new ObjectMapper(new YAMLFactory()).readTree(PATH.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PATH.toAbsolutePath(), e);
        }
    }

    JsonNode services() {
        return root.path("services");
    }

    JsonNode service(String name) {
        JsonNode s = services().path(name);
        if (s.isMissingNode()) {
            throw new AssertionError("no service '" + name + "' in " + PATH);
        }
        return s;
    }

    String image(String service) {
        return service(service).path("image").asText(null);
    }

    /** The service's environment, given as a map or as a list of {@code KEY=VALUE}. */
    Map<String, String> environment(String service) {
        JsonNode env = service(service).path("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env.isObject()) {
            env.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } else if (env.isArray()) {
            env.forEach(item -> {
                String s = item.asText();
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            });
        }
        return out;
    }

    List<String> command(String service) {
        List<String> out = new ArrayList<>();
        service(service).path("command").forEach(c -> out.add(c.asText()));
        return out;
    }

    /**
     * {@code host:port} that the broker advertises on its inter-broker listener, the one other
     * containers use (e.g. {@code kafka:19092}).
     */
    String internalBootstrap() {
        Map<String, String> env = environment("kafka");
        String listener = env.get("KAFKA_INTER_BROKER_LISTENER_NAME");
        for (String advertised : env.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(",")) {
            String[] nameAndAddress = advertised.trim().split("://", 2);
            if (nameAndAddress.length == 2 && nameAndAddress[0].equals(listener)) {
                return nameAndAddress[1];
            }
        }
        throw new AssertionError("kafka advertises no address for its inter-broker listener " + listener);
    }
}
