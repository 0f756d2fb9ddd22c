package dev.streamae.metrics;

import static dev.streamae.broker.WaitUntil.waitUntil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server ({@code prometheus} from the PATH, e.g. Debian's package) in its own
 * process, on 127.0.0.1 and a free port, with its TSDB in a directory of the caller's: what the
 * {@code monitoring} profile runs, for tests that check PromQL against the real evaluator rather
 * than a parser of ours. {@link #close} kills the process; a JVM shutdown hook does too, should
 * the test never reach it.
 *
 * <p>The scrape config is the shipped {@code prometheus.yml} with only what cannot hold outside
 * Compose replaced ({@link #scrapeConfig}), so its own settings (job, {@code honor_labels}) are
 * the ones the test runs.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI base;
    private final Path log;
    private final Thread killer;

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
        this.killer = new Thread(process::destroyForcibly, "kill-prometheus");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** An executable named {@code command} on the PATH, as the shell's {@code command -v} finds it. */
    public static Optional<Path> onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, command)).filter(Files::isExecutable).findFirst();
    }

    /**
     * {@code shipped} with every job's service discovery replaced by {@code targets} (host:port,
     * scraped at {@code /metrics}) and the scrape and evaluation intervals set to
     * {@code interval}; everything else as shipped.
     */
    public static String scrapeConfig(Path shipped, List<String> targets, String interval) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        ObjectNode config = (ObjectNode) yaml.readTree(shipped.toFile());
        config.withObjectProperty("global").put("scrape_interval", interval).put("evaluation_interval", interval);
        for (JsonNode job : config.withArrayProperty("scrape_configs")) {
            ObjectNode j = (ObjectNode) job;
            j.remove(List.of("dns_sd_configs", "static_configs", "file_sd_configs"));
            ArrayNode to = j.withArrayProperty("static_configs").addObject().putArray("targets");
            targets.forEach(to::add);
        }
        return yaml.writeValueAsString(config);
    }

    /** Starts Prometheus on {@code config} and waits until it is ready (at most 30 s). */
    public static PrometheusServer start(Path binary, Path config, Path dataDir, Path log) throws IOException {
        int port = freePort();
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dataDir, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            waitUntil("Prometheus ready on port " + port, Duration.ofSeconds(30), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Prometheus exited with " + process.exitValue() + ":\n" + server.logText());
                }
                return server.ready();
            });
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Whether {@code /-/ready} answers 200; refused while Prometheus is still starting. */
    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** {@code /api/v1/targets}: the whole answer. */
    public JsonNode targets() {
        return json("/api/v1/targets");
    }

    /** {@code /api/v1/query} at the current time: the whole answer, {@code status} "success" or "error". */
    public JsonNode query(String promQl) {
        return json("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8));
    }

    /** {@code /api/v1/label/<label>/values} of the series {@code match} selects: the whole answer. */
    public JsonNode labelValues(String label, String match) {
        return json("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8));
    }

    /** What Prometheus logged so far, for failure messages. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private JsonNode json(String path) {
        HttpResponse<String> response = get(path);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body(), e);
        }
    }

    private HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("cannot GET " + base.resolve(path), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will: nothing left to undo.
        }
    }
}
