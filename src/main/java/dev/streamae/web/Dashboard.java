package dev.streamae.web;

import com.sun.net.httpserver.HttpServer;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.StreamAeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: one page showing the seed tutorial's figures while the service runs, fed from
 * the output topics and the newest model. Training loss and threshold over time, throughput, model
 * version and age, dead-letter count; the alerting figures side by side (the false-alarm target the
 * user set, the trainer's estimate of the contamination, the alert rates the trainer and the scorer
 * observe, and how they relate); the drift detector's state (policy, phase, statistic, learning held)
 * and the precision operators' verdicts give the alerts, from the trainer's reports; the trainer's
 * drift and policy events ({@code model-events}), marked on the time charts and listed; the latest
 * alerts with their p-values, each original beside its reconstruction; recent originals over their
 * reconstructions; the 3-D latent space of recent
 * images, rotatable, coloured by label (digits as digits, any other label in one colour), anomalies
 * marked. Labels are shown as the text producers wrote, never interpreted as markup.
 *
 * <p>Many models: every figure above is of one model, chosen in the page (default: the configured
 * {@code model.name} once it has records, else the first model seen); an overview lists every model
 * with its version, image rate, alert rate and drift phase, and selects one on a click. A
 * single-model deployment shows the page it always did, with one entry in the selector.
 *
 * <p>How it is built, and why:
 * <ul>
 *   <li>{@link TopicFeed}: its own read_committed consumer with manual assignment, so it never joins
 *       or disturbs the applications' consumer groups;</li>
 *   <li>{@link DashboardState}: bounded aggregates per model, for a bounded number of models
 *       ({@link DashboardLimits}), so memory and the page's work stay constant at any image rate;</li>
 *   <li>{@link Broadcaster}: one server-sent event per page per tick (500 ms), a snapshot on connect
 *       and deltas after, of the one model the page shows ({@code /events?model=}: switching models
 *       is a new stream), with alert and grid images rendered server-side with that model's newest
 *       snapshot in one batch per tick;</li>
 *   <li>the JDK's built-in HTTP server ({@code jdk.httpserver}): three routes and a stream need no
 *       web framework, and it adds no dependency to the service's jar;</li>
 *   <li>the page's scripts, styles and chart library (uPlot, from its WebJar) are served from the
 *       jar: nothing is fetched from the internet.</li>
 * </ul>
 * Bound to 127.0.0.1 by default; while bound to a loopback address it also rejects requests that
 * do not name a loopback host (see {@link HttpSupport}).
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    private final Map<String, Object> clientProps;
    private final StreamAeSettings settings;
    private final String bind;
    private final int requestedPort;
    private final DashboardLimits limits;
    private final ModelFactory factory;
    private final DashboardState state;

    private HttpServer server;
    private ThreadPoolExecutor httpThreads;
    private ScheduledExecutorService ticker;
    private TopicFeed feed;
    private Thread feedThread;
    private EventStreams streams;
    private URI url;

    /**
     * @param kafkaClientProps bootstrap servers and any client settings (security); keys a consumer
     *     does not know (StreamAE's own, Kafka Streams') are ignored
     * @param settings the model name, architecture, image size and snapshot signing key to expect
     * @param bind address to listen on, e.g. {@value #DEFAULT_BIND}
     * @param port port to listen on; 0 picks a free one
     */
    public Dashboard(Map<String, Object> kafkaClientProps, StreamAeSettings settings, String bind, int port) {
        this(kafkaClientProps, settings, bind, port, DashboardLimits.defaults(),
                ModelFactory.of(settings));
    }

    Dashboard(Map<String, Object> kafkaClientProps, StreamAeSettings settings, String bind, int port,
              DashboardLimits limits, ModelFactory factory) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        this.clientProps = Map.copyOf(Objects.requireNonNull(kafkaClientProps, "kafkaClientProps"));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.bind = Objects.requireNonNull(bind, "bind");
        this.requestedPort = port;
        this.limits = limits;
        this.factory = factory;
        this.state = new DashboardState(limits, settings.modelName());
    }

    /** Starts serving and reading; returns once the port is bound. Fails clearly if it cannot bind. */
    public synchronized Dashboard start() {
        if (server != null) {
            throw new IllegalStateException("the dashboard is already started");
        }
        try {
            InetAddress address = InetAddress.getByName(bind);
            HttpSupport http = new HttpSupport(address.isLoopbackAddress());
            server = HttpServer.create(new InetSocketAddress(address, requestedPort), 0);
            // Each open page holds a thread for its event stream; a few more serve files. Requests
            // beyond that queue rather than being rejected (the JDK server handles rejection badly).
            int threads = limits.maxClients() + 8;
            httpThreads = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemon("dashboard-http"));
            httpThreads.allowCoreThreadTimeOut(true);
            server.setExecutor(httpThreads);
            streams = new EventStreams(http, limits.maxClients());
            server.createContext("/", new StaticFiles(http));
            server.createContext("/events", streams);

            RecentImages images = new RecentImages(limits.recentImages(), settings.width(), settings.height());
            Broadcaster broadcaster = new Broadcaster(state, images, factory, streams, limits,
                    settings.falseAlarmRate(), settings.width(), settings.height());
            ticker = Executors.newSingleThreadScheduledExecutor(daemon("dashboard-ticker"));

            server.start();
            // The consumer last: nothing above can fail and leave it open.
            feed = new TopicFeed(clientProps, limits, state, images, settings);
            feedThread = daemon("dashboard-feed").newThread(feed);
            feedThread.start();
            // Fixed delay, not fixed rate: a slow tick (the first model load) never causes a burst of events.
            ticker.scheduleWithFixedDelay(broadcaster, 0, limits.tick().toMillis(), TimeUnit.MILLISECONDS);
            int port = server.getAddress().getPort();
            String host = address.isAnyLocalAddress() ? "localhost" : address.getHostAddress();
            url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/");
            if (!address.isLoopbackAddress()) {
                LOG.warn("the dashboard listens on {}: anyone who can reach this address can see it", bind);
            }
            LOG.info("dashboard at {} (model {} unless the page chooses another)", url, settings.modelName());
            return this;
        } catch (BindException e) {
            close();
            throw new IllegalStateException("cannot start the dashboard: " + bind + ":" + requestedPort
                    + " is in use or not an address of this machine (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the dashboard on " + bind + ":" + requestedPort, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8080/}. */
    public synchronized URI url() {
        if (url == null) {
            throw new IllegalStateException("the dashboard is not started");
        }
        return url;
    }

    public synchronized int port() {
        return url().getPort();
    }

    /** Latent points held for the scatter of the model holding most (never more than the cap). */
    int latentPoints() {
        return state.latentSize();
    }

    @Override
    public synchronized void close() {
        if (feed != null) {
            feed.stop();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (streams != null) {
            streams.closeAll();
        }
        if (server != null) {
            server.stop(1);
        }
        if (httpThreads != null) {
            httpThreads.shutdownNow();
        }
        if (feedThread != null) {
            try {
                feedThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        feed = null;
        ticker = null;
        streams = null;
        server = null;
        httpThreads = null;
        feedThread = null;
        url = null;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
