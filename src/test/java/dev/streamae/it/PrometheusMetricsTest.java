package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.metrics.GrafanaQuery;
import dev.streamae.metrics.PrometheusEndpoint;
import dev.streamae.metrics.PromQl;
import dev.streamae.metrics.PrometheusServer;
import dev.streamae.metrics.Scrape;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerTopology;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a running trainer and scorer on a real broker, scraped over HTTP as
 * Prometheus scrapes it; each endpoint is started before its app, as the commands do, so every
 * task and partition metric appears after the endpoint was bound. The trainer learns a backlog of 1,500 digits (and skips 5 malformed
 * records) before the scorer starts, so the scorer's consumer first meets a backlog larger than
 * one fetch: its lag must show, then drain. Then 300 more digits, 60 Fashion-MNIST images and 10
 * malformed records: images scored, alerts, dead letters and model versions must rise in the
 * series, by the counts sent. Every series carries the application, model and instance labels.
 *
 * <p>The same scrapes check the Grafana dashboard in {@code config/monitoring}: every series its
 * queries name must be one the two apps really export. When a {@code prometheus} binary is on the
 * PATH (Debian's package), a real Prometheus, configured by the shipped
 * {@code config/monitoring/prometheus.yml} with only its targets replaced, scrapes both apps and
 * evaluates every dashboard query as Grafana sends it: each must parse, and those the apps'
 * activity feeds must return series (and some, values above 0).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusMetricsTest {

    static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", "1500",
            "calibration.window", "500",
            "prometheus.port", "0");
    static final Path DASHBOARD = Path.of("config/monitoring/grafana/dashboards/streamae.json");
    static final Path PROMETHEUS_CONFIG = Path.of("config/monitoring/prometheus.yml");
    static final Path GRAFANA_DATASOURCE = Path.of("config/monitoring/grafana/provisioning/datasources/prometheus.yml");

    private static final int BACKLOG = 1500;
    private static final int BAD_IN_BACKLOG = 5;
    private static final String SCORED = "streamae_scorer_images_scored_total";
    private static final String ALERTS = "streamae_scorer_anomalies_total";
    /** A gauge (a process-wide count each task reports): Prometheus keeps {@code _total} for counters. */
    private static final String SCORER_BAD = "streamae_scorer_bad_records";
    private static final String SCORER_VERSION = "streamae_scorer_model_version";
    private static final String TRAINER_BAD = "streamae_trainer_bad_records";
    private static final String TRAINER_VERSION = "streamae_trainer_model_version";
    private static final String LAG = "kafka_consumer_fetch_manager_records_lag";
    private static final String LAG_MAX = "kafka_consumer_fetch_manager_records_lag_max";
    private static final Predicate<Map<String, String>> ON_IMAGES = l -> Topics.IMAGES.equals(l.get("topic"));

    /**
     * Queries the test's own traffic must make return series whose every value is above 0: the
     * rates of images scored and trained, alerts over images, model versions, dead letters and heap.
     */
    private static final Set<String> POSITIVE = Set.of(
            "stat 'Images scored / s' A", "timeseries 'Throughput' A", "timeseries 'Throughput' B",
            "stat 'Model version' A", "stat 'Model version' B",
            "timeseries 'Model version' A", "timeseries 'Model version' B",
            "timeseries 'Alert rate against target' A", "timeseries 'Alert rate against target' B",
            "stat 'Dead letters (1 h)' A", "timeseries 'Dead letters and rejected snapshots' A",
            "timeseries 'JVM heap' A", "timeseries 'JVM heap' B");
    /** A Grafana variable query {@code label_values(<series>, <label>)}. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*$");

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();
    @TempDir
    static Path state;

    private static KafkaTestClient client;
    private static StreamAeRunner.Trainer trainer;
    private static StreamAeRunner.Scorer scorer;

    @BeforeAll
    static void trainOnABacklogThenStartTheScorer() throws Exception {
        LocalKafka kafka = BROKER.kafka();
        client = new KafkaTestClient(kafka);
        trainer = StreamAeRunner.trainer(kafka, state.resolve("trainer"), SETTINGS);

        // All on one partition: 1.6 MB, more than one fetch (1 MB a partition) or poll (1,000 records) takes.
        // Shuffled: the dataset is sorted by digit.
        Datasets.Labelled train = Datasets.mnistTrain();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.count(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(7));
        for (int i = 0; i < BACKLOG; i++) {
            client.send(0, KafkaTestClient.image("mnist-" + order.get(i), train, order.get(i)));
        }
        MalformedRecords.generate(BAD_IN_BACKLOG).forEach(b -> client.send(Topics.IMAGES, b.id(), b.value()));
        client.flush();
        waitUntil("the trainer publishes a warmed-up model", Duration.ofSeconds(90), () -> {
            TrainingMetrics last = trainer.metrics().lastPublished();
            return last != null && last.alerting() && last.examplesSeen() + last.skippedAnomalies() == BACKLOG;
        });

        scorer = StreamAeRunner.scorer(kafka, state.resolve("scorer"), SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        // The last scrapes, to read when a check fails.
        if (scorer != null) {
            Files.writeString(Path.of("target/prometheus-scorer.txt"), scorerScrape().text());
            Files.writeString(Path.of("target/prometheus-trainer.txt"), trainerScrape().text());
        }
        if (scorer != null) {
            scorer.close();
        }
        if (trainer != null) {
            trainer.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private static Scrape scorerScrape() {
        return Scrape.of(scorer.prometheus().url());
    }

    private static Scrape trainerScrape() {
        return Scrape.of(trainer.prometheus().url());
    }

    @Test
    void imagesScoredAlertsModelVersionLagAndDeadLettersMoveWithTheirLabels() {
        // The backlog: lag on images shows, the scorer scores it all, and the lag drains to 0.
        waitUntil("the scorer's consumer reports lag on images", Duration.ofSeconds(30),
                () -> scorerScrape().max(LAG_MAX, ON_IMAGES) > 0);
        waitUntil("the backlog scored and its bad records dead-lettered", Duration.ofSeconds(60), () -> {
            Scrape s = scorerScrape();
            return s.sum(SCORED) == BACKLOG && s.max(SCORER_BAD) == BAD_IN_BACKLOG;
        });
        waitUntil("the scorer's lag on images drains to 0", Duration.ofSeconds(30), () -> {
            Scrape s = scorerScrape();
            return !s.samples(LAG).isEmpty() && s.sum(LAG, ON_IMAGES) == 0;
        });
        Scrape scorerBefore = scorerScrape();
        Scrape trainerBefore = trainerScrape();
        assertThat(scorerBefore.max(SCORER_VERSION)).as("the scorer uses the trainer's model").isPositive();
        assertThat(trainerBefore.max(TRAINER_VERSION)).isGreaterThanOrEqualTo(scorerBefore.max(SCORER_VERSION));
        assertThat(trainerBefore.max(TRAINER_BAD)).isEqualTo(BAD_IN_BACKLOG);

        // More digits, Fashion images (the alerts) and malformed records.
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        Datasets.Labelled fashion = Datasets.fashion();
        for (int i = 0; i < 300; i++) {
            int index = i * heldOut.count() / 300;
            client.send(KafkaTestClient.image("heldout-" + index, heldOut, index));
            if (i % 5 == 0) {
                int f = i / 5 * fashion.count() / 60;
                client.send(KafkaTestClient.image("fashion-" + f, fashion, f));
            }
        }
        List<MalformedRecords.Bad> bad = MalformedRecords.generate(BAD_IN_BACKLOG + 10).subList(BAD_IN_BACKLOG,
                BAD_IN_BACKLOG + 10);
        bad.forEach(b -> client.send(Topics.IMAGES, b.id(), b.value()));
        client.flush();
        int scored = BACKLOG + 360;
        int deadLetters = BAD_IN_BACKLOG + bad.size();
        double versionBefore = trainerBefore.max(TRAINER_VERSION);
        waitUntil("every new image scored, every bad record counted, a newer model in use", Duration.ofSeconds(90),
                () -> {
                    Scrape s = scorerScrape();
                    return s.sum(SCORED) == scored && s.max(SCORER_BAD) == deadLetters
                            && s.max(SCORER_VERSION) > versionBefore;
                });
        Scrape scorerAfter = scorerScrape();
        Scrape trainerAfter = trainerScrape();

        assertThat(scorerAfter.sum(SCORED)).isEqualTo(scored);
        assertThat(scorerAfter.sum(ALERTS) - scorerBefore.sum(ALERTS)).as("alerts, most of them on the 60 Fashion images")
                .isBetween(10.0, 100.0);
        assertThat(scorerAfter.max(SCORER_BAD)).isEqualTo(deadLetters);
        assertThat(trainerAfter.max(TRAINER_BAD)).isEqualTo(deadLetters);
        assertThat(trainerAfter.max(TRAINER_VERSION)).isGreaterThan(versionBefore);
        assertThat(scorerAfter.max(SCORER_VERSION)).isGreaterThan(versionBefore);

        assertLabelled(scorerAfter, ScorerTopology.APPLICATION_ID, scorer.prometheus());
        assertLabelled(trainerAfter, TrainerTopology.APPLICATION_ID, trainer.prometheus());
        assertThat(scorerAfter.samples(SCORED)).as("one series per task").allSatisfy(
                s -> assertThat(s.labels()).containsKeys("thread_id", "task_id"));
    }

    private static void assertLabelled(Scrape scrape, String application, PrometheusEndpoint endpoint) {
        String instance = endpoint.url().getHost() + ":" + endpoint.port();
        assertThat(scrape.samples()).as(application).hasSizeGreaterThan(200).allSatisfy(s -> assertThat(s.labels())
                .as(s.name()).containsEntry("application", application).containsEntry("model", "streamae")
                .containsEntry("instance", instance));
    }

    @Test
    void everyDashboardQueryNamesASeriesTheAppsExport() throws Exception {
        Map<String, String> queries = dashboardQueries();
        assertThat(queries).as("queries in " + DASHBOARD).hasSizeGreaterThanOrEqualTo(15);
        Set<String> named = new TreeSet<>();
        queries.forEach((where, expr) -> {
            Set<String> names = PromQl.seriesNames(expr);
            assertThat(names).as(where + ": " + expr).isNotEmpty();
            named.addAll(names);
        });
        // Micrometer registers the GC pause series at the first collection after it is bound.
        System.gc();
        Set<String> exported = new TreeSet<>();
        try {
            waitUntil("every series the dashboard names is exported", Duration.ofSeconds(20), () -> {
                exported.clear();
                exported.addAll(trainerScrape().names());
                exported.addAll(scorerScrape().names());
                return exported.containsAll(named);
            });
        } catch (AssertionError timedOut) {
            // The checks below name each query whose series is missing.
        }
        queries.forEach((where, expr) -> assertThat(exported).as(where + ": " + expr)
                .containsAll(PromQl.seriesNames(expr)));
    }

    /**
     * Last: it sends images of its own, which the exact counts of
     * {@link #imagesScoredAlertsModelVersionLagAndDeadLettersMoveWithTheirLabels} must not see.
     * Prometheus scrapes every second, so the rates over Grafana's windows (40 s and more) hold
     * many samples of the traffic; the queries run at once after Prometheus has seen it all.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void everyDashboardQueryRunsOnARealPrometheusOverTheAppsSeries(@TempDir Path dir) throws Exception {
        Optional<Path> binary = PrometheusServer.onPath("prometheus");
        assumeTrue(binary.isPresent(), "no prometheus on the PATH (Debian: apt-get install prometheus): the"
                + " dashboard's PromQL is not evaluated by a real Prometheus");
        Optional<Path> promtool = PrometheusServer.onPath("promtool");
        if (promtool.isPresent()) {
            Process check = new ProcessBuilder(promtool.get().toString(), "check", "config", PROMETHEUS_CONFIG.toString())
                    .redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes());
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check config " + PROMETHEUS_CONFIG + ":\n" + out).isZero();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, PrometheusServer.scrapeConfig(PROMETHEUS_CONFIG,
                List.of(hostPort(trainer.prometheus()), hostPort(scorer.prometheus())), "1s"));

        try (PrometheusServer prometheus = PrometheusServer.start(binary.get(), config, dir.resolve("data"),
                Path.of("target/prometheus-server.log"))) {
            waitUntil("Prometheus scrapes the trainer and the scorer", Duration.ofSeconds(20), () -> {
                JsonNode targets = prometheus.targets().path("data").path("activeTargets");
                return targets.size() == 2 && StreamSupport.stream(targets.spliterator(), false)
                        .allMatch(t -> t.path("health").asText().equals("up"));
            });

            // Traffic while Prometheus scrapes: digits, Fashion images (alerts) and malformed records.
            Scrape before = scorerScrape();
            Datasets.Labelled heldOut = Datasets.mnistHeldOut();
            Datasets.Labelled fashion = Datasets.fashion();
            for (int i = 0; i < 100; i++) {
                int index = i * heldOut.count() / 100 + 1;
                client.send(KafkaTestClient.image("prometheus-heldout-" + index, heldOut, index));
                if (i % 5 == 0) {
                    int f = i / 5 * fashion.count() / 20 + 1;
                    client.send(KafkaTestClient.image("prometheus-fashion-" + f, fashion, f));
                }
            }
            MalformedRecords.generate(BAD_IN_BACKLOG + 12).subList(BAD_IN_BACKLOG + 10, BAD_IN_BACKLOG + 12)
                    .forEach(b -> client.send(Topics.IMAGES, b.id(), b.value()));
            client.flush();
            double scored = before.sum(SCORED) + 120;
            double deadLetters = before.max(SCORER_BAD) + 2;
            waitUntil("Prometheus has scraped every new image scored and both dead letters", Duration.ofSeconds(60),
                    () -> values(prometheus.query("sum(" + SCORED + ")")).equals(List.of(scored))
                            && values(prometheus.query("max(" + SCORER_BAD + ")")).equals(List.of(deadLetters)));
            // A rate needs two samples in its window: the new counts can arrive with a target's
            // first or second scrape, so wait until Prometheus holds three of each app's.
            waitUntil("Prometheus has scraped each app three times", Duration.ofSeconds(30),
                    () -> values(prometheus.query("count_over_time(up[40s]) >= 3")).size() == 2);

            Map<String, String> variables = new LinkedHashMap<>(grafanaBuiltIns());
            Map<String, String> queries = dashboardQueries();
            SoftAssertions softly = new SoftAssertions();
            queries.forEach((where, expr) -> {
                Matcher labelValues = LABEL_VALUES.matcher(expr);
                if (labelValues.matches()) {
                    // A Grafana function, not PromQL: Grafana asks Prometheus' label API.
                    JsonNode answer = prometheus.labelValues(labelValues.group(2), labelValues.group(1));
                    List<String> values = new ArrayList<>();
                    answer.path("data").forEach(v -> values.add(v.asText()));
                    softly.assertThat(values).as(where + ": " + expr + " -> " + answer).contains("streamae");
                    // Grafana's regex of the values chosen: here all of them.
                    variables.put(where.substring("variable $".length()),
                            values.size() == 1 ? values.get(0) : "(" + String.join("|", values) + ")");
                }
            });
            StringBuilder answers = new StringBuilder();
            queries.forEach((where, expr) -> {
                if (LABEL_VALUES.matcher(expr).matches()) {
                    return;
                }
                String sent = GrafanaQuery.interpolate(expr, variables);
                JsonNode answer = prometheus.query(sent);
                String what = where + ": " + sent + " -> " + answer;
                answers.append(what).append("\n\n");
                if (!answer.path("status").asText().equals("success")) {
                    softly.fail("Prometheus rejects " + what);
                    return;
                }
                // Every query, no exception: each series it reads exists in both apps from their
                // start, bar the GC pauses (after the first collection, long past here) and the mean
                // score latency, whose ">= 0" drops the NaN of a window without scoring (the
                // traffic above was just scored). Rates hold many samples at 1 s scrapes.
                List<Double> values = values(answer);
                softly.assertThat(values).as(what).isNotEmpty();
                if (POSITIVE.contains(where)) {
                    softly.assertThat(values).as(what).allSatisfy(v -> assertThat(v).isPositive());
                }
            });
            // To read when a check fails.
            Files.writeString(Path.of("target/prometheus-queries.txt"), answers);
            softly.assertAll();
        }
    }

    private static String hostPort(PrometheusEndpoint endpoint) {
        return endpoint.url().getHost() + ":" + endpoint.port();
    }

    /** The sample values of an instant query's answer (a vector or a scalar); NaN stays NaN. */
    private static List<Double> values(JsonNode answer) {
        JsonNode data = answer.path("data");
        List<Double> out = new ArrayList<>();
        if (data.path("resultType").asText().equals("scalar")) {
            out.add(number(data.path("result").path(1).asText()));
        } else {
            data.path("result").forEach(series -> out.add(number(series.path("value").path(1).asText())));
        }
        return out;
    }

    /** A sample value as Prometheus writes it ("+Inf" where Java writes "Infinity"). */
    private static double number(String value) {
        return Double.parseDouble(value.replace("Inf", "Infinity"));
    }

    /**
     * Grafana's {@code $__interval}, {@code $__rate_interval} and {@code $__range} for the
     * dashboard's default time range and the shipped data source's scrape interval.
     */
    private static Map<String, String> grafanaBuiltIns() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Matcher from = Pattern.compile("now-(\\d+)([smhd])").matcher(dashboard.path("time").path("from").asText());
        assertThat(from.matches()).as("time.from of " + DASHBOARD).isTrue();
        Duration range = Duration.parse("P" + (from.group(2).equals("d") ? "" : "T") + from.group(1)
                + from.group(2).toUpperCase());
        String timeInterval = new YAMLMapper().readTree(GRAFANA_DATASOURCE.toFile()).path("datasources").path(0)
                .path("jsonData").path("timeInterval").asText("15s");
        Duration scrape = Duration.parse("PT" + timeInterval.toUpperCase());
        return GrafanaQuery.builtIns(range, scrape);
    }

    /**
     * Every PromQL expression of the dashboard: panel targets and variable queries, by where they
     * are ({@code <panel type> '<title>' <refId>}, {@code variable $<name>}).
     */
    static Map<String, String> dashboardQueries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        });
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                // The type too: a stat and a time series panel may share a title ("Model version").
                String where = panel.path("type").asText() + " '" + panel.path("title").asText() + "' "
                        + target.path("refId").asText();
                assertThat(out.put(where, target.path("expr").asText())).as("two queries at " + where).isNull();
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                out.put("variable $" + variable.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return out;
    }
}
