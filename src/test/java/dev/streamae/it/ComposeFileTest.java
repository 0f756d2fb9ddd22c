package dev.streamae.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamae.broker.LocalKafka;
import dev.streamae.cli.ConfigLoader;
import dev.streamae.cli.StreamAeCommand;
import dev.streamae.streams.StreamAeSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The structure of {@code docker-compose.yml}, checked without Docker; and, where a {@code docker compose}
 * (or {@code docker-compose}) binary exists, its own validation, which needs no daemon.
 */
class ComposeFileTest {

    private final ComposeFile compose = ComposeFile.load();

    @Test
    void hasTheBrokerTheTopicStepTheTopologiesTheDashboardAndTheMonitoring() {
        List<String> names = new ArrayList<>();
        compose.services().fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("kafka", "topics", "trainer", "scorer", "dashboard",
                "prometheus", "grafana", "kafka-ui");
    }

    @Test
    void monitoringRunsOnlyInItsProfile() {
        compose.services().fields().forEachRemaining(service -> {
            List<String> profiles = new ArrayList<>();
            service.getValue().path("profiles").forEach(p -> profiles.add(p.asText()));
            if (ComposeFile.MONITORING_SERVICES.contains(service.getKey())) {
                assertThat(profiles).as(service.getKey()).containsExactly("monitoring");
                assertThat(compose.image(service.getKey())).as(service.getKey()).matches(".+:v?\\d+\\.\\d+\\.\\d+");
            } else {
                assertThat(profiles).as(service.getKey() + " runs without a profile").isEmpty();
            }
        });
    }

    /**
     * Prometheus scrapes the port the trainer and the scorers serve, keeping their labels; Grafana
     * finds its data source and the dashboard in the files mounted from the repository.
     */
    @Test
    void theMonitoringIsProvisionedFromTheRepositorysFiles() throws Exception {
        Map<String, Path> mounts = new HashMap<>();
        for (String service : ComposeFile.MONITORING_SERVICES) {
            compose.service(service).path("volumes").forEach(v -> {
                String[] parts = v.asText().split(":");
                assertThat(parts[0]).as(service + " mounts files of the repository").startsWith("./config/monitoring/");
                assertThat(Path.of(parts[0])).as(v.asText()).exists();
                assertThat(parts).as(v.asText() + " read-only").hasSize(3).endsWith("ro");
                mounts.put(parts[1], Path.of(parts[0]));
            });
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

        JsonNode prometheus = yaml.readTree(mounts.get("/etc/prometheus/prometheus.yml").toFile());
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertThat(job.path("honor_labels").asBoolean()).as("the apps' instance labels are kept").isTrue();
        JsonNode dns = job.path("dns_sd_configs").get(0);
        List<String> targets = new ArrayList<>();
        dns.path("names").forEach(n -> targets.add(n.asText()));
        assertThat(targets).containsExactlyInAnyOrder("trainer", "scorer");
        for (String service : targets) {
            assertThat(compose.environment(service)).as(service)
                    .containsEntry("STREAMAE_PROMETHEUS_PORT", dns.path("port").asText());
        }

        Path provisioning = mounts.get("/etc/grafana/provisioning");
        JsonNode source = yaml.readTree(provisioning.resolve("datasources/prometheus.yml").toFile()).path("datasources").get(0);
        assertThat(source.path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode provider = yaml.readTree(provisioning.resolve("dashboards/streamae.yml").toFile()).path("providers").get(0);
        Path dashboards = mounts.get(provider.path("options").path("path").asText());
        assertThat(dashboards).as("the dashboards provider reads a mounted directory").isNotNull();
        JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("streamae.json").toFile());
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        assertThat(panels).filteredOn(p -> p.has("targets")).isNotEmpty().allSatisfy(p -> {
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText())
                    .isEqualTo(source.path("uid").asText());
            p.path("targets").forEach(t -> assertThat(t.path("datasource").path("uid").asText())
                    .isEqualTo(source.path("uid").asText()));
        });
        assertThat(compose.environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(provider.path("options").path("path").asText() + "/streamae.json");
        assertThat(compose.environment("kafka-ui")).containsEntry("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS",
                compose.internalBootstrap());
    }

    @Test
    void theBrokerIsTheOfficialKafka4ImageAtAPinnedVersionConfiguredForStreamAe() {
        assertThat(compose.image("kafka")).matches("apache/kafka:4\\.\\d+\\.\\d+");
        Map<String, String> env = compose.environment("kafka");
        assertThat(env).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
        assertThat(Integer.parseInt(env.get("KAFKA_MESSAGE_MAX_BYTES")))
                .as("room for model snapshots, as on the local broker").isGreaterThanOrEqualTo(LocalKafka.MAX_MESSAGE_BYTES);
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("://localhost:9092");
        assertThat(compose.internalBootstrap()).isEqualTo("kafka:19092");
        assertThat(compose.service("kafka").path("healthcheck").path("test").isMissingNode()).isFalse();
    }

    @Test
    void everyAppServiceRunsTheStreamAeImageAgainstTheInternalListenerConfiguredByEnvironment() {
        for (String service : ComposeFile.APP_SERVICES) {
            assertThat(compose.image(service)).as(service).isEqualTo("streamae:latest");
            Map<String, String> env = compose.environment(service);
            assertThat(env).as(service).containsEntry("STREAMAE_BOOTSTRAP_SERVERS", compose.internalBootstrap());
            // Every variable must be a key StreamAE or Kafka Streams knows: a typo would be ignored silently.
            ConfigLoader.fromEnvironment(env).keySet().forEach(key -> assertThat(
                    StreamAeSettings.isOwnKey(key) || StreamsConfig.configDef().names().contains(key))
                    .as(service + ": " + key + " is a StreamAE or Kafka Streams setting").isTrue());
            assertThat(env.keySet()).as(service).allMatch(k -> k.startsWith(ConfigLoader.ENV_PREFIX));
        }
    }

    @Test
    void everyAppServiceRunsACommandThatParses() {
        CommandLine cli = StreamAeCommand.commandLine();
        for (String service : ComposeFile.APP_SERVICES) {
            List<String> command = compose.command(service);
            assertThat(command).as(service).isNotEmpty();
            if (command.get(0).equals("dashboard") && !cli.getSubcommands().containsKey("dashboard")) {
                continue; // the dashboard command lives on another branch until it is merged
            }
            assertThat(cli.getSubcommands()).as(service).containsKey(command.get(0));
            StreamAeCommand.commandLine().parseArgs(command.toArray(String[]::new));
        }
        assertThat(compose.command("topics")).containsExactly("topics");
        assertThat(compose.command("trainer")).containsExactly("trainer");
        assertThat(compose.command("scorer")).containsExactly("scorer");
        assertThat(compose.command("dashboard")).containsExactly("dashboard", "--bind", "0.0.0.0", "--port", "8080");
    }

    @Test
    void topicsRunOnceOnAHealthyBrokerAndEverythingElseWaitsForThem() {
        assertThat(compose.service("topics").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(compose.service("topics").path("restart").asText()).isEqualTo("no");
        for (String service : List.of("trainer", "scorer", "dashboard")) {
            assertThat(compose.service(service).path("depends_on").path("topics").path("condition").asText())
                    .as(service).isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void scorersAreScaledOut() {
        assertThat(compose.service("scorer").path("deploy").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(compose.service("scorer").has("container_name")).as("a fixed name prevents replicas").isFalse();
        assertThat(compose.service("scorer").has("ports")).as("replicas cannot share a host port").isFalse();
    }

    @Test
    void publishedPortsAreBoundToLoopbackOnly() {
        int published = 0;
        for (JsonNode service : compose.services()) {
            for (JsonNode port : service.path("ports")) {
                String binding = port.isObject() ? port.path("host_ip").asText() + ":" : port.asText();
                assertThat(binding).startsWith("127.0.0.1:");
                published++;
            }
        }
        assertThat(published).isEqualTo(5);
        assertThat(compose.service("dashboard").path("ports").get(0).asText()).isEqualTo("127.0.0.1:8080:8080");
        assertThat(compose.service("grafana").path("ports").get(0).asText()).isEqualTo("127.0.0.1:3000:3000");
    }

    /** {@code docker compose config -q} validates the file against the Compose schema; it needs no daemon. */
    @Test
    void dockerComposeValidatesTheFileWhereItIsInstalled() throws Exception {
        List<String> compose = composeBinary();
        assumeThat(compose).as("no docker compose or docker-compose on this machine").isNotNull();
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", ComposeFile.PATH.toString(), "config", "-q"));
        Result result = run(command);
        assertThat(result.exitCode).as(String.join(" ", command) + ":\n" + result.output).isZero();
    }

    private static List<String> composeBinary() {
        for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                if (run(version).exitCode == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not installed
            }
        }
        return null;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
