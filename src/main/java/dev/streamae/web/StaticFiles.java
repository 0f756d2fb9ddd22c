package dev.streamae.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The page and its scripts and styles, all from the jar: the dashboard works with no internet
 * access. A fixed list of files, loaded into memory when the dashboard starts (about 80 kB), so a
 * missing file fails the start rather than a page load, and no request path ever reaches the
 * class path. The charting library, uPlot, comes from its WebJar; its version is read from the
 * WebJar's own Maven metadata so that upgrading it is a change to the pom alone.
 */
final class StaticFiles implements HttpHandler {

    private static final String OWN = "dev/streamae/web/static/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private record File(String contentType, byte[] body) {
    }

    private final HttpSupport http;
    private final Map<String, File> files = new LinkedHashMap<>();

    StaticFiles(HttpSupport http) {
        this.http = http;
        String uplot = "META-INF/resources/webjars/uplot/" + webJarVersion() + "/dist/";
        add("/", OWN + "index.html");
        add("/static/dashboard.css", OWN + "dashboard.css");
        add("/static/errors.js", OWN + "errors.js");
        add("/static/latent3d.js", OWN + "latent3d.js");
        add("/static/charts.js", OWN + "charts.js");
        add("/static/alerting.js", OWN + "alerting.js");
        add("/static/events.js", OWN + "events.js");
        add("/static/dashboard.js", OWN + "dashboard.js");
        add("/static/favicon.svg", OWN + "favicon.svg");
        add("/static/vendor/uPlot.iife.min.js", uplot + "uPlot.iife.min.js");
        add("/static/vendor/uPlot.min.css", uplot + "uPlot.min.css");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!http.admit(exchange, "GET")) {
            return;
        }
        File f = files.get(exchange.getRequestURI().getPath());
        if (f == null) {
            HttpSupport.sendText(exchange, 404, "not found");
            return;
        }
        // no-cache: the browser revalidates, so a restarted dashboard of a newer version never runs stale scripts.
        HttpSupport.send(exchange, 200, f.contentType(), f.body(), "no-cache");
    }

    private void add(String path, String resource) {
        files.put(path, new File(contentType(resource), read(resource)));
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return "application/octet-stream";
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource " + resource + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard resource " + resource, e);
        }
    }

    private static String webJarVersion() {
        Properties p = new Properties();
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT_POM, e);
        }
        return p.getProperty("version");
    }
}
