package dev.streamae.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * The dashboard's HTTP hygiene, applied to every response: security headers (the page loads only
 * its own scripts and styles, and images from itself or {@code data:} URIs), only the expected
 * method, and, while bound to a loopback address, only requests addressed to a loopback name. The
 * last check defeats DNS rebinding: without it, any web site open in the same browser could point
 * its own host name at 127.0.0.1 and read the dashboard.
 */
final class HttpSupport {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private final boolean loopbackOnly;

    /** @param loopbackOnly whether requests must name a loopback host: true when bound to a loopback address */
    HttpSupport(boolean loopbackOnly) {
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * Adds the security headers and checks the method and the Host header; on a failed check it
     * answers (405 or 403) and returns false.
     */
    boolean admit(HttpExchange exchange, String method) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        if (loopbackOnly && !isLoopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
            sendText(exchange, 403, "this dashboard answers only to localhost");
            return false;
        }
        String m = exchange.getRequestMethod();
        if (!method.equals(m) && !("GET".equals(method) && "HEAD".equals(m))) {
            h.set("Allow", method);
            sendText(exchange, 405, "method not allowed");
            return false;
        }
        return true;
    }

    static boolean isLoopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(0, end + 1);
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        return LOOPBACK_NAMES.contains(host);
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), "no-store");
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body, String cacheControl)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
