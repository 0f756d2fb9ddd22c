package dev.streamae.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer's or scorer's metrics at {@code http://<host>:<prometheus.port>/metrics} in the
 * Prometheus text format: everything Kafka Streams reports for the app ({@link KafkaStreamsMeters}:
 * StreamAE's task metrics, Kafka Streams' own, and those of its consumers, producers and admin
 * client, consumer lag among them), the JVM's (heap, GC, threads, CPU, uptime), and the target
 * false-alarm rate ({@code streamae_alert_false_alarm_rate_target}, the {@code alert.false.alarm.rate}
 * setting, for dashboards to draw the alert rate against). StreamAE's task metrics are exported as
 * {@code streamae_scorer_*} and {@code streamae_trainer_*} rather than under the binder's
 * {@code kafka_} prefix, since they are the service's own. Every series carries three labels:
 * {@code application} (the {@code application.id}), {@code model} ({@code model.name}) and
 * {@code instance} ({@code prometheus.instance}, by default {@code <host name>:<port>}), so that a
 * dashboard can tell the trainer from the scorers, and one scorer from another. Prometheus must
 * keep the app's {@code instance} rather than replace it with its target's: {@code honor_labels}.
 *
 * <p>Off unless {@code prometheus.port} is set. A fixed default port would stop the second scorer
 * started on one host (the README's way to scale out on one machine), and a random default port is
 * one no Prometheus knows to scrape. Where each process has its own address, as in
 * {@code docker-compose.yml}, one port serves them all. A port already taken stops the start with a
 * message naming it, rather than leaving the process running unobserved; port 0 takes any free port
 * and logs it.
 *
 * <p>It listens on every interface, since the scraper usually runs on another host or container;
 * the series hold names, counts and host names, no image data or keys. Only {@code GET} and
 * {@code HEAD} of {@code /metrics} are answered.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    /** Prometheus text exposition format 0.0.4, what {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String KAFKA_PREFIX = "kafka.";
    private static final String OWN_PREFIX = KAFKA_PREFIX + "streamae.";
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);

    private final HttpServer server;
    private final ExecutorService http;
    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMeters kafka;
    private final JvmGcMetrics gc;
    private final URI url;

    private PrometheusEndpoint(HttpServer server, ExecutorService http, PrometheusMeterRegistry registry,
                               KafkaStreamsMeters kafka, JvmGcMetrics gc, URI url) {
        this.server = server;
        this.http = http;
        this.registry = registry;
        this.kafka = kafka;
        this.gc = gc;
        this.url = url;
    }

    /**
     * Serves {@code app}'s metrics on {@code settings.prometheusPort()}, or does nothing (an endpoint
     * that is {@linkplain #isServing() not serving}) when no port is set.
     *
     * @throws IllegalStateException if the port is taken
     */
    public static PrometheusEndpoint start(StreamsApp app, StreamAeSettings settings) {
        Integer port = settings.prometheusPort();
        if (port == null) {
            return new PrometheusEndpoint(null, null, null, null, null, null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (BindException e) {
            throw new IllegalStateException("prometheus.port " + port + " is in use (another trainer or scorer on "
                    + "this host?): give each process its own port, or 0 for any free one", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port, e);
        }
        int bound = server.getAddress().getPort();
        String host = hostName();
        String instance = settings.prometheusInstance().isEmpty() ? host + ":" + bound : settings.prometheusInstance();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", app.applicationId(), "model", settings.modelName(),
                "instance", instance);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String name = id.getName();
                return name.startsWith(OWN_PREFIX) ? id.withName(name.substring(KAFKA_PREFIX.length())) : id;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        double target = settings.falseAlarmRate();
        Gauge.builder("streamae.alert.false.alarm.rate.target", () -> target)
                .description("alert.false.alarm.rate: the share of normal images allowed to raise an alert")
                .register(registry);
        KafkaStreamsMeters kafka = new KafkaStreamsMeters(app.streams(), registry);

        ExecutorService http = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prometheus-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(http);
        URI url = URI.create("http://" + host + ":" + bound + "/metrics");
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, http, registry, kafka, gc, url);
        server.createContext("/metrics", endpoint::handle);
        server.start();
        LOG.info("{} metrics for Prometheus at {} (instance {})", app.applicationId(), url, instance);
        return endpoint;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            kafka.refresh();
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = method.equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (RuntimeException e) {
            // The JDK's server would drop the connection without a word: say why in the log.
            LOG.warn("a metrics scrape failed", e);
            throw e;
        } finally {
            exchange.close();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Whether metrics are served ({@code prometheus.port} set). */
    public boolean isServing() {
        return server != null;
    }

    /** {@code http://<host name>:<port>/metrics}; only while serving. */
    public URI url() {
        if (url == null) {
            throw new IllegalStateException("metrics are not served: prometheus.port is not set");
        }
        return url;
    }

    public int port() {
        return url().getPort();
    }

    @Override
    public void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        http.shutdownNow();
        kafka.close();
        gc.close();
        registry.close();
    }
}
