package dev.streamae.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One scrape of a {@code /metrics} endpoint over HTTP, parsed from the Prometheus text format the
 * way Prometheus reads it: one sample per line, {@code name{label="value",...} value}, comments
 * ({@code # HELP}, {@code # TYPE}) skipped.
 */
public final class Scrape {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Sample> samples;
    private final String text;

    private Scrape(List<Sample> samples, String text) {
        this.samples = samples;
        this.text = text;
    }

    /** GETs {@code url}, asserting a 200 in the Prometheus text format, and parses the body. */
    public static Scrape of(URI url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).as("content type of " + url)
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            return parse(response.body());
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted scraping " + url, e);
        }
    }

    static Scrape parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(parseLine(line));
            }
        }
        return new Scrape(out, text);
    }

    private static Sample parseLine(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf("=\"", i);
                String key = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
            }
            rest = i + 2;
        } else {
            name = line.substring(0, space);
            rest = space + 1;
        }
        String[] valueAndTime = line.substring(rest).trim().split(" ");
        return new Sample(name, labels, parseValue(valueAndTime[0]));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples of series {@code name}. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Every series name in the scrape. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The sum of {@code name}'s samples whose labels match, NaN samples left out (0 when none). */
    public double sum(String name, Predicate<Map<String, String>> labels) {
        return samples(name).stream().filter(s -> labels.test(s.labels()) && !Double.isNaN(s.value()))
                .mapToDouble(Sample::value).sum();
    }

    public double sum(String name) {
        return sum(name, l -> true);
    }

    /** The largest of {@code name}'s samples whose labels match, NaN samples left out; NaN when none. */
    public double max(String name, Predicate<Map<String, String>> labels) {
        return samples(name).stream().filter(s -> labels.test(s.labels()) && !Double.isNaN(s.value()))
                .mapToDouble(Sample::value).max().orElse(Double.NaN);
    }

    public double max(String name) {
        return max(name, l -> true);
    }

    /** The body as served. */
    public String text() {
        return text;
    }
}
