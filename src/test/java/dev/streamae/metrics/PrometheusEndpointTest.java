package dev.streamae.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint without a broker: a Kafka Streams app that is built but never started already has
 * its clients' metrics, which is enough to check what is served, with which labels, on which
 * port, and what happens when that port is taken. The series of running tasks are checked on a
 * real broker by {@code dev.streamae.it.PrometheusMetricsTest}.
 */
class PrometheusEndpointTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path state;
    private StreamsApp app;

    @BeforeEach
    void buildApp() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-test-app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        app = new StreamsApp("metrics-test", builder.build(), props);
    }

    @AfterEach
    void closeApp() {
        app.close();
    }

    private static StreamAeSettings settings(String... keyValues) {
        Map<String, String> config = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return StreamAeSettings.from(config);
    }

    @Test
    void servesJvmKafkaAndTargetSeriesLabelledByApplicationModelAndInstance() {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(app,
                settings("prometheus.port", "0", "model.name", "digits", "alert.false.alarm.rate", "0.01"))) {
            assertThat(endpoint.port()).as("port 0: a free port, chosen at start").isPositive();
            assertThat(endpoint.url().getPath()).isEqualTo("/metrics");
            Scrape scrape = Scrape.of(endpoint.url());

            assertThat(scrape.max("streamae_alert_false_alarm_rate_target")).isEqualTo(0.01);
            assertThat(scrape.sum("jvm_memory_used_bytes", l -> "heap".equals(l.get("area")))).isPositive();
            assertThat(scrape.names()).as("the Kafka clients' metrics").anyMatch(n -> n.startsWith("kafka_consumer_"))
                    .anyMatch(n -> n.startsWith("kafka_producer_")).anyMatch(n -> n.startsWith("kafka_stream_"));
            String instance = endpoint.url().getHost() + ":" + endpoint.port();
            assertThat(scrape.samples()).hasSizeGreaterThan(100).allSatisfy(s -> assertThat(s.labels())
                    .as(s.name()).containsEntry("application", "metrics-test-app").containsEntry("model", "digits")
                    .containsEntry("instance", instance));
        }
    }

    @Test
    void theInstanceLabelCanBeSet() {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(app,
                settings("prometheus.port", "0", "prometheus.instance", "scorer-7"))) {
            assertThat(Scrape.of(endpoint.url()).samples())
                    .allSatisfy(s -> assertThat(s.labels()).containsEntry("instance", "scorer-7"));
        }
    }

    @Test
    void aTakenPortStopsTheStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> PrometheusEndpoint.start(app, settings("prometheus.port", Integer.toString(port))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("prometheus.port " + port + " is in use (another trainer or scorer on this host?): "
                            + "give each process its own port, or 0 for any free one");
        }
    }

    @Test
    void offByDefault() {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(app, StreamAeSettings.defaults())) {
            assertThat(endpoint.isServing()).isFalse();
            assertThatThrownBy(endpoint::url).hasMessageContaining("prometheus.port is not set");
        }
    }

    @Test
    void answersOnlyGetAndHeadOfMetrics() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(app, settings("prometheus.port", "0"))) {
            URI url = endpoint.url();
            assertThat(send(HttpRequest.newBuilder(url.resolve("/")).build()).statusCode()).isEqualTo(404);
            assertThat(send(HttpRequest.newBuilder(url.resolve("/metrics/x")).build()).statusCode()).isEqualTo(404);
            HttpResponse<String> post = send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
            HttpResponse<String> head = send(HttpRequest.newBuilder(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
