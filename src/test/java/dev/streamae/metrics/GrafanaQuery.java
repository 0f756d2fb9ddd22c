package dev.streamae.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dashboard query as Grafana sends it to Prometheus: its template variables ({@code $name},
 * {@code ${name}}, {@code ${name:format}}, {@code [[name]]}) replaced by their values. A variable
 * without a value fails, so a query that uses a new one cannot slip through unevaluated.
 */
public final class GrafanaQuery {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\$(\\w+)|\\[\\[(\\w+)(?::[^]]*)?]]");
    /** Grafana's default {@code maxDataPoints}: about one point a pixel of a full-width panel. */
    private static final int POINTS = 1000;

    private GrafanaQuery() {
    }

    public static String interpolate(String query, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(query);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.get(name);
            if (value == null) {
                throw new AssertionError("no value for Grafana variable $" + name + " in " + query);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /**
     * Grafana's built-in interval variables for a dashboard showing {@code range}, with a data
     * source whose scrape interval ({@code jsonData.timeInterval}, also the minimum
     * {@code $__interval}) is {@code scrape}: {@code $__interval} is the range over the points
     * drawn, at least {@code scrape}; {@code $__rate_interval} is
     * {@code max($__interval + scrape, 4 * scrape)}, the smallest window sure to hold two samples.
     */
    public static Map<String, String> builtIns(Duration range, Duration scrape) {
        Duration perPoint = Duration.ofSeconds(Math.max(1, range.toSeconds() / POINTS));
        Duration interval = perPoint.compareTo(scrape) > 0 ? perPoint : scrape;
        Duration rate = interval.plus(scrape).compareTo(scrape.multipliedBy(4)) > 0 ? interval.plus(scrape)
                : scrape.multipliedBy(4);
        return Map.of(
                "__interval", interval.toSeconds() + "s",
                "__interval_ms", String.valueOf(interval.toMillis()),
                "__rate_interval", rate.toSeconds() + "s",
                "__range", range.toSeconds() + "s",
                "__range_s", String.valueOf(range.toSeconds()),
                "__range_ms", String.valueOf(range.toMillis()));
    }
}
