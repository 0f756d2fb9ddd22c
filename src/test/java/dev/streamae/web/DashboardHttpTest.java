package dev.streamae.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamae.streams.StreamAeSettings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTTP side without a browser or a broker (its consumer just finds nothing to read):
 * the page and its scripts come from the jar, with security headers; foreign Host headers, unknown
 * paths and other methods are refused; the event stream opens with a snapshot and then sends one
 * delta per tick, of the model the page asks for ({@code ?model=}; the configured one when it asks
 * for none or for a name no model can have).
 */
class DashboardHttpTest {

    private static Dashboard dashboard;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        dashboard = new Dashboard(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort, "num.stream.threads", "2"),
                StreamAeSettings.defaults(), "127.0.0.1", 0).start();
    }

    @AfterAll
    static void stop() {
        dashboard.close();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(dashboard.url().resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesThePageAndItsScriptsFromTheJarWithSecurityHeaders() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'self'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("/static/vendor/uPlot.iife.min.js").doesNotContain("http://", "https://");
        // The alerting figures: the target, the contamination estimate, both alert rates and what relates them.
        assertThat(html).contains("/static/alerting.js", "id=\"target-rate\"", "id=\"contamination\"",
                "id=\"scorer-alert-rate\"", "id=\"trainer-alert-rate\"", "id=\"alert-explain\"",
                "the false-alarm rate on normal images + the anomalies caught");
        // Drift and feedback: the detector's state, the operators' precision and the list of model events.
        assertThat(html).contains("/static/events.js", "id=\"drift-phase\"", "id=\"precision\"", "id=\"verdicts\"",
                "id=\"events\"");

        HttpResponse<byte[]> uplot = get("/static/vendor/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(uplot.body().length).isGreaterThan(10_000);
        for (String f : List.of("dashboard.js", "charts.js", "alerting.js", "events.js", "latent3d.js", "errors.js", "dashboard.css",
                "favicon.svg")) {
            HttpResponse<byte[]> file = get("/static/" + f);
            assertThat(file.statusCode()).as(f).isEqualTo(200);
            // Alerts are set by a false-alarm rate now; a page reading the old quantile would show nothing.
            assertThat(new String(file.body(), StandardCharsets.UTF_8)).as(f).doesNotContainIgnoringCase("quantile");
        }
    }

    @Test
    void refusesUnknownPathsOtherMethodsAndForeignHosts() throws Exception {
        assertThat(get("/static/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/etc/passwd").statusCode()).isEqualTo(404);
        HttpResponse<Void> post = HTTP.send(HttpRequest.newBuilder(dashboard.url()).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(rawStatus("evil.example:" + dashboard.port())).isEqualTo(403);
        assertThat(rawStatus("localhost:" + dashboard.port())).isEqualTo(200);
    }

    /** The status of {@code GET /} sent with the given Host header (java.net.http does not let one set it). */
    private static int rawStatus(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dashboard.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    /** The first {@code n} events of the stream at {@code path}. */
    private static List<JsonNode> events(String path, int n) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(dashboard.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while (events.size() < n && (line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(Messages.JSON.readTree(line.substring(6)));
                }
            }
        }
        return events;
    }

    @Test
    void eachPageGetsTheModelItAskedForElseTheConfiguredOne() throws Exception {
        assertThat(events("/events?model=cam-2", 2)).extracting(e -> e.get("modelName").asText())
                .containsExactly("cam-2", "cam-2");
        assertThat(events("/events?model=..%2Fetc", 1).get(0).get("modelName").asText()).isEqualTo("streamae");
        assertThat(events("/events?x=1&model=", 1).get(0).get("modelName").asText()).isEqualTo("streamae");
        JsonNode first = events("/events", 1).get(0);
        assertThat(first.get("models").isArray()).as("the overview, empty before any record").isTrue();
        assertThat(first.get("models")).isEmpty();
        assertThat(first.get("limits").get("models").asInt()).isEqualTo(DashboardLimits.defaults().models());
        assertThat(first.get("totals").get("modelsDropped").asLong()).isZero();
        String html = new String(get("/").body(), StandardCharsets.UTF_8);
        assertThat(html).contains("id=\"model-select\"", "id=\"models\"", "id=\"models-card\"");
    }

    @Test
    void eventStreamStartsWithASnapshotThenOneDeltaPerTick() throws Exception {
        long start = System.nanoTime();
        List<JsonNode> events = events("/events", 5);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(events.get(0).get("type").asText()).isEqualTo("snapshot");
        assertThat(events.get(0).get("limits").get("latentPoints").asInt()).isEqualTo(2000);
        assertThat(events.get(0).get("modelName").asText()).isEqualTo("streamae");
        assertThat(events.get(0).get("totals").get("judged").asLong()).isZero();
        assertThat(events.get(0).has("model")).as("no model before one is read").isFalse();
        assertThat(events.get(0).get("events").isArray()).as("model events, none yet").isTrue();
        assertThat(events.get(0).get("events")).isEmpty();
        assertThat(events.get(0).get("driftLevels").get("suspect").asDouble()).isEqualTo(100);
        assertThat(events.get(0).get("driftLevels").get("confirm").asDouble()).isEqualTo(250);
        assertThat(events.subList(1, 5)).allSatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("delta"));
        assertThat(events.subList(1, 5)).allSatisfy(e -> assertThat(e.has("limits") || e.has("driftLevels")
                || e.has("events")).isFalse());
        // Five events take at least four ticks of 500 ms: never a burst.
        assertThat(seconds).isGreaterThan(1.9);
    }

    @Test
    void aBusyPortFailsTheStartClearly() {
        Dashboard second = new Dashboard(Map.of("bootstrap.servers", "127.0.0.1:1"), StreamAeSettings.defaults(),
                "127.0.0.1", dashboard.port());
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:" + dashboard.port()).hasMessageContaining("in use");
        URI unused = dashboard.url();
        assertThat(unused.getHost()).isEqualTo("127.0.0.1");
    }
}
