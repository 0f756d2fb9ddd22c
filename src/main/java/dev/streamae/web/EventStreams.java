package dev.streamae.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.streamae.streams.ModelRouting;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /events}: the server-sent event stream of one page. Each page has a small queue that
 * its own HTTP thread drains onto the socket, so a slow or stalled browser never holds up the
 * broadcaster or the other pages: a page whose queue is full is disconnected, and its
 * {@code EventSource} reconnects and starts again from a fresh snapshot. A newly connected page
 * waits in {@code joining} until the next tick hands it a snapshot.
 *
 * <p>A page chooses the model it shows with {@code GET /events?model=<name>}; to switch, it opens a
 * new stream (and gets a snapshot of the other model), which keeps the server's per-page state to
 * one name. Without a valid name the broadcaster picks one for it.
 */
final class EventStreams implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    /** Events a page may fall behind by before it is dropped (4 s at two events a second). */
    private static final int QUEUE = 8;
    /** A comment line this often keeps proxies and idle-timeouts from closing a quiet stream. */
    private static final long KEEP_ALIVE_SECONDS = 15;
    private static final byte[] CLOSE = new byte[0];
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    /** Reconnect after 2 s (the browser default is 3 s). */
    private static final byte[] PREAMBLE = "retry: 2000\n\n".getBytes(StandardCharsets.UTF_8);

    private final HttpSupport http;
    private final int maxPages;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Client> joining = ConcurrentHashMap.newKeySet();
    private final Set<Client> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** One connected page. */
    static final class Client {
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
        private volatile boolean closed;
        /** The model the page asked for, or null to let the dashboard choose. */
        final String requested;
        /** The model it was last sent (the broadcaster's thread only). */
        String shown;

        Client(String requested) {
            this.requested = requested;
        }

        private void close() {
            closed = true;
            queue.clear();
            queue.offer(CLOSE);
        }
    }

    EventStreams(HttpSupport http, int maxPages) {
        this.http = http;
        this.maxPages = maxPages;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!http.admit(exchange, "GET")) {
            return;
        }
        if ("HEAD".equals(exchange.getRequestMethod())) {
            HttpSupport.send(exchange, 200, "text/event-stream; charset=utf-8", new byte[0], "no-store");
            return;
        }
        if (closing || open.incrementAndGet() > maxPages) {
            if (!closing) {
                open.decrementAndGet();
            }
            HttpSupport.sendText(exchange, 503, "too many dashboard pages are open (at most " + maxPages + ")");
            return;
        }
        Client client = new Client(requestedModel(exchange.getRequestURI().getRawQuery()));
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(PREAMBLE);
            out.flush();
            joining.add(client);
            LOG.debug("page connected from {}", exchange.getRemoteAddress());
            pump(client, out);
        } catch (IOException e) {
            LOG.debug("page disconnected: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.closed = true;
            joining.remove(client);
            active.remove(client);
            open.decrementAndGet();
            exchange.close();
        }
    }

    /** The {@code model} query parameter when it is a valid model name, else null. */
    static String requestedModel(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("model=")) {
                String name = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                return ModelRouting.problem(name) == null ? name : null;
            }
        }
        return null;
    }

    private static void pump(Client client, OutputStream out) throws IOException, InterruptedException {
        while (!client.closed) {
            byte[] event = client.queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
            if (event == CLOSE) {
                return;
            }
            out.write(event == null ? KEEP_ALIVE : event);
            out.flush();
        }
    }

    /** Pages that connected since the last call; they get a snapshot via {@link #admit}. */
    List<Client> takeJoining() {
        List<Client> out = new ArrayList<>(joining);
        joining.removeAll(out);
        return out;
    }

    boolean hasPages() {
        return !active.isEmpty();
    }

    /** The pages that are up to date (they get deltas). */
    List<Client> active() {
        return new ArrayList<>(active);
    }

    /** Sends {@code update} to {@code clients}, pages that are up to date. */
    void send(List<Client> clients, Messages.Update update) {
        if (clients.isEmpty()) {
            return;
        }
        byte[] event = frame(update);
        for (Client c : clients) {
            if (active.contains(c)) {
                offer(c, event);
            }
        }
    }

    /** Sends the snapshot to pages that just connected (or must start again); from now on they get the deltas. */
    void admit(List<Client> clients, Messages.Update snapshot) {
        byte[] event = frame(snapshot);
        for (Client c : clients) {
            if (!c.closed && offer(c, event)) {
                active.add(c);
            }
        }
    }

    private boolean offer(Client c, byte[] event) {
        if (c.queue.offer(event)) {
            return true;
        }
        LOG.info("a dashboard page fell {} events behind; disconnecting it (it reconnects with a fresh snapshot)",
                QUEUE);
        active.remove(c);
        c.close();
        return false;
    }

    /** Ends every stream, so that the HTTP server can stop without waiting for them. */
    void closeAll() {
        closing = true;
        joining.forEach(Client::close);
        active.forEach(Client::close);
    }

    /** {@code data: <json>\n\n}: compact JSON never contains a newline, so one data line suffices. */
    static byte[] frame(Messages.Update update) {
        try {
            byte[] json = Messages.JSON.writeValueAsBytes(update);
            byte[] out = new byte[json.length + 8];
            System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
            System.arraycopy(json, 0, out, 6, json.length);
            out[out.length - 2] = '\n';
            out[out.length - 1] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write a dashboard event as JSON", e);
        }
    }
}
