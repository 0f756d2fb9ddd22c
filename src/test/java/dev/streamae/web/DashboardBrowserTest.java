package dev.streamae.web;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.it.KafkaTestClient;
import dev.streamae.it.MalformedRecords;
import dev.streamae.it.StreamAeRunner;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Label;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard in a real browser during a short run of the real trainer and scorer on the embedded
 * broker: every chart gets data, alerts appear with their original and reconstruction, the model
 * version and the exact dead-letter count show, the latent space rotates under the mouse, and the
 * page logs no error. Responsiveness: while 3,000 images stream as fast as the scorer takes them,
 * the page gets at most 4 events a second, holds at most the cap of latent points (and reaches it),
 * and handles each event well under a second. Alerting: the page shows the configured false-alarm
 * target, and the contamination and trainer alert rate the trainer published with the newest model;
 * alerts show their p-value (below the target). Labels: the Fashion images carry free-form string
 * labels ({@code fashion:<class>}, as in the demo), shown as text and drawn in the "other label"
 * colour; a label that looks like markup stays text. Drift and feedback: the page shows the drift
 * state the trainer reports; a model event produced to {@code model-events} (a topic created only
 * now if the deployment lacks it) is marked on all three charts and listed, one of another model is
 * not; the operators' precision and verdict counts show once a training report carries verdicts.
 * Many models: while the trainer's is the only model, the selector lists it alone and no overview
 * shows (the page looks as a single-model deployment always did); then a second model's records
 * (scores, an alert, a training report, an event and a snapshot, as its trainer and scorer would
 * write them) make the selector list both and the overview show each model's version and alert
 * rate, and clicking the second model's line switches every figure to it, and the selector back.
 * Saves target/dashboard.png.
 */
class DashboardBrowserTest {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserTest.class);
    private static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", "800",
            "alert.false.alarm.rate", "0.01");
    private static final double TARGET = 0.01;
    /** Past the warm-up, at whose end the trainer calibrates at once. */
    private static final int WARM_UP_IMAGES = 900;
    private static final int FAST_IMAGES = 3000;
    private static final int FASHION_EVERY = 15;
    private static final int BAD_RECORDS = 20;
    /** A label a careless page would turn into an element that runs script. */
    private static final int LATE_FASHION = 20;
    private static final String MARKUP_LABEL = "fashion:<img src=x onerror=\"window.__injected=1\">bag";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The trainer's model name, which the dashboard shows (StreamAeSettings' default). */
    private static final String MODEL = "streamae";

    private final Datasets.Labelled mnist = Datasets.mnistTrain();
    private final Datasets.Labelled heldOut = Datasets.mnistHeldOut();
    private final Datasets.Labelled fashion = Datasets.fashion();
    private final List<MalformedRecords.Bad> bad = MalformedRecords.generate(BAD_RECORDS);

    @Test
    @Timeout(180)
    void liveFiguresAlertsAndBoundedUpdatesInHeadlessChromium(@TempDir Path tmp) throws Exception {
        assumeTrue(HeadlessChromium.installed(), "needs Debian's chromium and chromium-driver");
        long t0 = System.nanoTime();
        // Chromium takes seconds to start on a busy machine: start it while the broker and topologies start.
        CompletableFuture<ChromeDriver> starting = CompletableFuture.supplyAsync(
                () -> HeadlessChromium.start(tmp.resolve("chromium"), 1440, 1200));
        StreamAeSettings settings = StreamAeSettings.from(SETTINGS);
        try (LocalKafka kafka = LocalKafka.start()) {
            try (var admin = kafka.admin()) {
                TopicAdmin.ensure(admin, TopicDeclarations.load().all());
            }
            try (var trainer = StreamAeRunner.trainer(kafka, tmp.resolve("trainer"), SETTINGS);
                 var scorer = StreamAeRunner.scorer(kafka, tmp.resolve("scorer"), SETTINGS);
                 var client = new KafkaTestClient(kafka);
                 Dashboard dashboard = new Dashboard(kafka.clientProperties(), settings, "127.0.0.1", 0).start()) {
                ChromeDriver browser = starting.join();
                LOG.info("broker, trainer ({}), scorer, dashboard and browser up after {} ms", trainer.app().streams().state(),
                        millisSince(t0));
                browser.get(dashboard.url().toString());
                waitInPage(browser, "the page's first event", "return window.__dash.messages > 0");

                // Phase 1: digits to warm the model up, and half the records for the dead-letter queue.
                for (int i = 0; i < WARM_UP_IMAGES; i++) {
                    client.send(KafkaTestClient.image("warm-" + i, mnist, i));
                }
                bad.subList(0, BAD_RECORDS / 2).forEach(b -> client.send(Topics.IMAGES, b.id(), b.value()));
                client.flush();
                waitUntil("the scorer holds a warmed-up model", WAIT, () -> scorer.registry().current() != null
                        && scorer.registry().current().alerting());
                waitInPage(browser, "model version, training points and dead letters on the page",
                        "return window.__dash.modelVersion > 0 && window.__dash.chartPoints.training > 0"
                                + " && window.__dash.deadLetters > 0");
                LOG.info("model warmed up after {} ms", millisSince(t0));

                // Phase 2: images as fast as the producer sends them, some Fashion among the digits.
                long streamStart = System.nanoTime();
                streamFast(client);
                waitInPage(browser, "every valid image scored and every bad record counted, on the page",
                        "var d = window.__dash; return d.totals.scored >= " + (WARM_UP_IMAGES + FAST_IMAGES)
                                + " && d.deadLetters >= " + BAD_RECORDS);
                LOG.info("{} images scored {} ms after the fast stream started", FAST_IMAGES, millisSince(streamStart));

                checkPage(browser, dashboard);
                checkAlertingFigures(browser, trainer);
                checkLabels(browser, client);
                checkDriftAndFeedback(browser, kafka, trainer, client);
                checkSecondModel(browser, scorer, client);
                Path shot = Path.of("target", "dashboard.png");
                Files.createDirectories(shot.getParent());
                fitWindowToPage(browser);
                Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
                LOG.info("screenshot in {}; test body took {} ms", shot.toAbsolutePath(), millisSince(t0));
            }
        } finally {
            quit(starting);
        }
    }

    /** The second model's name and what its records say (its trainer and scorer are not run here). */
    private static final String SECOND = "cam-2";
    private static final long SECOND_VERSION = 42;
    private static final int SECOND_SCORES = 40;
    /** One in four of its scores is an alert: the page must show 25.0 %. */
    private static final int SECOND_ALERT_EVERY = 4;

    /**
     * A second model, from records produced as its trainer and scorer would write them: 40 scores (a
     * quarter anomalous, of images the dashboard holds, so that its grid and alert show originals),
     * one alert, a training report and a drift event, and a snapshot (the real model's parameters
     * under the second name). The selector lists both models, the overview shows each one's version
     * and the second one's alert rate; a click on its line switches the figures: its version, its
     * scorer alert rate, drift phase, counts, events, latent points, grid and alert, drawn by its
     * own snapshot. The selector switches back.
     */
    private void checkSecondModel(ChromeDriver browser, StreamAeRunner.Scorer scorer, KafkaTestClient client)
            throws Exception {
        long defaultVersion = ((Number) browser.executeScript("return window.__dash.modelVersion;")).longValue();
        long defaultScored = ((Number) browser.executeScript("return window.__dash.totals.scored;")).longValue();
        long now = System.currentTimeMillis();
        JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
        List<String> ids = new ArrayList<>();
        for (int n = 1; ids.size() < SECOND_SCORES; n++) {
            if (n % FASHION_EVERY != 0) {
                ids.add("digit-" + n); // images the dashboard has read: the grid and the alert show them
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            boolean anomaly = i % SECOND_ALERT_EVERY == 0;
            ScoreRecord s = new ScoreRecord(ids.get(i), SECOND, SECOND_VERSION, null, null, new float[] {i, -i, 0.5f * i}, 0.1,
                    "bce", anomaly ? 0.001 : 0.3, 0.2, anomaly, ScoreRecord.Status.READY, Label.of(i % 10), null, null,
                    now, now);
            client.send(Topics.IMAGE_SCORES, s.id(), scores.toBytes(s));
            if (i == 0) {
                client.send(Topics.ANOMALY_ALERTS, s.id(), scores.toBytes(s));
            }
        }
        client.send(Topics.TRAINING_METRICS, SECOND, JsonSerde.of(TrainingMetrics.class).toBytes(new TrainingMetrics(
                SECOND, SECOND_VERSION, 0.05, "bce", 0.2, TARGET, 0.3, 0.2, 500, true, 12_000, 750, 0, 0, now,
                "adapt", "CONFIRMED", 260.0, false, null, null, null)));
        client.send(Topics.MODEL_EVENTS, SECOND, JsonSerde.of(ModelEvent.class).toBytes(new ModelEvent(SECOND,
                SECOND_VERSION, "DRIFT_CONFIRMED", "adapt", 11_111, 10_000, 260.0, 250, 12_000, now)));
        Snapshot real = scorer.registry().current();
        client.send(Topics.MODELS, SECOND, SnapshotCodec.unsigned().encode(new Snapshot(SECOND, SECOND_VERSION,
                real.architecture(), real.metric(), 12_000, 750, 0, real.calibration(), Instant.ofEpochMilli(now),
                real.parameters(), null)));
        client.flush();

        String rows = "Array.from(document.querySelectorAll('#models tbody tr'))";
        waitInPage(browser, "both models in the selector and the overview, with the second one's alert rate",
                "var names = Array.from(document.querySelectorAll('#model-select option')).map(o => o.value);"
                        + " var row = " + rows + ".find(r => r.dataset.model === arguments[0]);"
                        + " return names.includes('" + MODEL + "') && names.includes(arguments[0])"
                        + "   && !document.getElementById('models-card').hidden && !!row"
                        + "   && row.cells[3].textContent === '25.0 % of " + SECOND_SCORES + "';", SECOND);
        Map<?, ?> overview = (Map<?, ?>) browser.executeScript("var out = {}; " + rows
                + ".forEach(r => out[r.dataset.model] = Array.from(r.cells).map(c => c.textContent)); return out;");
        LOG.info("overview: {}", overview);
        List<String> second = strings(overview.get(SECOND));
        assertThat(strings(overview.get(MODEL))).as("the trainer's model").element(1).isEqualTo("v" + defaultVersion);
        assertThat(second).as("the second model: name, version, images/s, alert rate, drift phase, last record")
                .containsExactly(SECOND, "v" + SECOND_VERSION, second.get(2), "25.0 % of " + SECOND_SCORES, "confirmed",
                        second.get(5));
        assertThat(browser.findElement(By.id("model-select")).getAttribute("value")).isEqualTo(MODEL);
        assertThat(text(browser, "model-version")).isEqualTo("v" + defaultVersion);

        browser.findElement(By.cssSelector("#models tbody tr[data-model='" + SECOND + "']")).click();
        waitInPage(browser, "the second model's figures",
                "var d = window.__dash; return d.shownModel === arguments[0] && d.modelVersion === arguments[1]"
                        + " && d.totals.scored === arguments[2] && d.counts.grid > 0 && d.counts.alerts === 1"
                        + " && document.getElementById('scorer-alert-rate').textContent === '25.0 %';",
                SECOND, SECOND_VERSION, SECOND_SCORES);
        assertThat(browser.getCurrentUrl()).endsWith("/?model=" + SECOND);
        assertThat(browser.findElement(By.id("model-select")).getAttribute("value")).isEqualTo(SECOND);
        assertThat(text(browser, "model-version")).isEqualTo("v" + SECOND_VERSION);
        assertThat(text(browser, "drift-phase")).isEqualTo("confirmed");
        assertThat(text(browser, "alerts-total")).isEqualTo("1");
        assertThat(text(browser, "grid-version")).as("its grid drawn by its own snapshot").isEqualTo("v" + SECOND_VERSION);
        assertThat((List<?>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#grid .captions > span')).map(c => c.title.split(' ')[0]);"))
                .as("its grid shows images it scored").isNotEmpty().allSatisfy(id -> assertThat(ids).contains((String) id));
        assertThat(browser.findElement(By.cssSelector("#alerts li")).getText())
                .contains(ids.get(0), "scored by v" + SECOND_VERSION + " · drawn by v" + SECOND_VERSION);
        assertThat(strings(browser.executeScript(
                "return Array.from(document.querySelectorAll('#events li')).map(li => li.dataset.type);")))
                .as("its events only").containsExactly("DRIFT_CONFIRMED");
        assertThat(((Number) browser.executeScript("return window.__dash.counts.latent;")).intValue())
                .isEqualTo(SECOND_SCORES);
        assertThat(browser.findElement(By.cssSelector("#models tr.selected")).getAttribute("data-model")).isEqualTo(SECOND);

        new Select(browser.findElement(By.id("model-select"))).selectByValue(MODEL);
        waitInPage(browser, "the trainer's model again",
                "var d = window.__dash; return d.shownModel === arguments[0] && d.modelVersion === arguments[1]"
                        + " && d.totals.scored >= arguments[2];", MODEL, defaultVersion, defaultScored);
        assertThat(browser.getCurrentUrl()).endsWith("/?model=" + MODEL);
        assertThat((List<?>) browser.executeScript("return window.__dashErrors;")).as("errors in the page").isEmpty();
        assertThat(HeadlessChromium.consoleErrors(browser)).as("console errors").isEmpty();
    }

    private void streamFast(KafkaTestClient client) {
        List<Runnable> sends = new ArrayList<>();
        for (int i = 0; i < FAST_IMAGES; i++) {
            int n = i;
            sends.add(n % FASHION_EVERY == 0
                    ? () -> client.send(fashionImage("fashion-" + n, n % fashion.count()))
                    : () -> client.send(KafkaTestClient.image("digit-" + n, heldOut, n % heldOut.count())));
        }
        bad.subList(BAD_RECORDS / 2, BAD_RECORDS).forEach(b -> sends.add(() -> client.send(Topics.IMAGES, b.id(), b.value())));
        Collections.shuffle(sends, new Random(5));
        sends.forEach(Runnable::run);
        client.flush();
    }

    /** A Fashion image labelled as the demo labels its anomalies: a string, not a class number. */
    private ImageRecord fashionImage(String id, int index) {
        ImageRecord r = KafkaTestClient.image(id, fashion, index);
        return new ImageRecord(r.id(), r.pixels(), r.u8(), r.png(), r.width(), r.height(),
                Label.of("fashion:" + Datasets.fashionClass(fashion.labels()[index])), r.timestamp());
    }

    private static void checkPage(ChromeDriver browser, Dashboard dashboard) {
        DashboardLimits limits = DashboardLimits.defaults();
        waitInPage(browser, "every chart has data and an alert shows two images",
                "var d = window.__dash, c = d.chartPoints;"
                        + " if (!(c.training > 0 && c.anomaly > 0 && c.throughput > 0 && d.counts.latent > 0"
                        + "     && d.counts.latentShown > 0 && d.counts.grid > 0)) return false;"
                        + " return Array.from(document.querySelectorAll('#alerts li')).some(li => {"
                        + "   var imgs = li.querySelectorAll('img');"
                        + "   return imgs.length === 2 && Array.from(imgs).every(i => i.complete && i.naturalWidth === 28); });");

        Map<?, ?> probe = (Map<?, ?>) browser.executeScript("return window.__dash;");
        LOG.info("page probe: {}", probe);
        assertThat(number(probe, "deadLetters")).as("dead letters, counted exactly").isEqualTo(BAD_RECORDS);
        assertThat(number(probe, "modelVersion")).isPositive();
        assertThat(browser.findElement(By.id("model-version")).getText()).matches("v\\d+");
        assertThat(number(probe, "maxEventsPerSecond")).as("events a second at the page while images streamed")
                .isBetween(1.0, 4.0);
        assertThat(number(probe, "maxLatent")).as("latent points ever held by the page")
                .isEqualTo(limits.latentPoints());
        assertThat(dashboard.latentPoints()).isLessThanOrEqualTo(limits.latentPoints());
        assertThat(number(probe, "maxHandleMs")).as("slowest event handling, ms").isLessThan(1000);

        String before = canvas(browser);
        new Actions(browser).clickAndHold(browser.findElement(By.id("latent"))).moveByOffset(120, 40).release().perform();
        waitInPage(browser, "the scatter redrawn after a drag",
                "return document.getElementById('latent').toDataURL() !== arguments[0];", before);

        assertThat((List<?>) browser.executeScript("return window.__dashErrors;")).as("errors in the page").isEmpty();
        assertThat(HeadlessChromium.consoleErrors(browser)).as("console errors").isEmpty();

        // One model, as in every single-model deployment: the selector names it alone, no overview.
        assertThat(strings(browser.executeScript(
                "return Array.from(document.querySelectorAll('#model-select option')).map(o => o.value);")))
                .containsExactly(MODEL);
        assertThat(browser.findElement(By.id("models-card")).isDisplayed()).isFalse();
    }

    /**
     * The figures the trainer published with its newest model (its last training-metrics record),
     * read from the trainer itself, against what the page shows once it has that model: the target,
     * the contamination estimate and the trainer's alert rate, also in the line that relates them.
     * The scorer's alert rate (over the last minute, which here covers the whole run) must be the
     * share of alerts among the images an alerting model scored, and lie above the target: one image
     * in fifteen is an anomaly.
     */
    @SuppressWarnings("unchecked")
    private static void checkAlertingFigures(ChromeDriver browser, StreamAeRunner.Trainer trainer) {
        // Whether the last minute holds scores of a warming-up model depends on timing: check the
        // page's own sum on two seconds, one of them half warming up, first.
        assertThat((Map<String, Object>) browser.executeScript("return Alerting.scorerRate([[1, 10, 1, 4], [2, 10, 1, 6]]);"))
                .as("alerts among judged images").containsEntry("rate", 0.2).containsEntry("judged", 10L);
        new WebDriverWait(browser, WAIT, Duration.ofMillis(250))
                .withMessage(() -> "waiting for the page to show the trainer's last report " + trainer.metrics().lastPublished()
                        + "; page: " + alertingOnPage(browser))
                .until(d -> {
                    TrainingMetrics last = trainer.metrics().lastPublished();
                    Map<?, ?> page = alertingOnPage(browser);
                    return last != null && last.contamination() != null
                            && ((Number) page.get("model")).longValue() == last.modelVersion()
                            && ((Number) page.get("report")).longValue() == last.modelVersion()
                            && closeTo(percent(page, "target-rate"), last.falseAlarmRate())
                            && closeTo(percent(page, "contamination"), last.contamination())
                            && closeTo(percent(page, "trainer-alert-rate"), last.alertRate())
                            && closeTo(percent(page, "scorer-alert-rate"), ((Number) page.get("judgedShare")).doubleValue());
                });
        TrainingMetrics last = trainer.metrics().lastPublished();
        Map<?, ?> page = alertingOnPage(browser);
        LOG.info("trainer's last report {}; page {}", last, page);
        assertThat(last.falseAlarmRate()).isEqualTo(TARGET);
        assertThat(last.contamination()).as("contamination estimated by the trainer").isPositive();
        // No upper bound: how far above it lies depends on which young model versions scored the stream.
        assertThat(percent(page, "scorer-alert-rate")).as("scorer's alert rate on the page").isNotNull()
                .isGreaterThan(TARGET);
        assertThat((String) page.get("threshold")).as("threshold at the target").matches("[0-9.]+");
        assertThat((String) page.get("threshold-note")).contains("at a 1.0 % false-alarm rate");
        assertThat((String) page.get("alert-explain")).contains("1.0 % target",
                "target and " + page.get("contamination") + " anomalies", "trainer " + page.get("trainer-alert-rate"),
                "scorer " + page.get("scorer-alert-rate"));
    }

    /** The alerting figures' texts, and the versions of the page's model and newest training report. */
    private static Map<?, ?> alertingOnPage(ChromeDriver browser) {
        return (Map<?, ?>) browser.executeScript("var out = { model: window.__dash.modelVersion,"
                + " report: window.__dash.trainingVersion || 0,"
                + " judgedShare: window.__dash.totals.anomalies / window.__dash.totals.judged };"
                + " ['threshold', 'threshold-note', 'target-rate', 'contamination', 'scorer-alert-rate',"
                + "  'trainer-alert-rate', 'alert-explain'].forEach(id => out[id] = document.getElementById(id).textContent);"
                + " return out;");
    }

    /** A percentage the page shows ("5.2 %"), as a fraction; null for "–". */
    private static Double percent(Map<?, ?> page, String id) {
        String text = (String) page.get(id);
        return text.endsWith(" %") ? Double.parseDouble(text.substring(0, text.length() - 2)) / 100 : null;
    }

    /** Equal to the precision shown: 5.2 %, 0.52 %, 0.052 % (and "–" for none). */
    private static boolean closeTo(Double shown, Double value) {
        if (shown == null || value == null) {
            return shown == value;
        }
        double halfStep = value >= 0.01 ? 5e-4 : value >= 0.001 ? 5e-5 : 0.05 * value;
        return Math.abs(shown - value) <= halfStep * 1.001;
    }

    /**
     * Free-form labels. The page colours a label as a digit only when it is one; an alert on a
     * Fashion image shows its string label and its p-value below the target; Fashion images sent last
     * (so that the newest model's codes, which the scatter shows, include them) are drawn in the
     * "other label" colour; a label that looks like markup, also sent last so that it shows in the
     * recent-images grid, stays text.
     */
    @SuppressWarnings("unchecked")
    private void checkLabels(ChromeDriver browser, KafkaTestClient client) {
        assertThat((List<Object>) browser.executeScript("var c = Latent3D.colour, o = Latent3D.colours;"
                + " return [3, '3', 0, '9', '33', ' 3', 12, -1, 2.5, 'fashion:bag', null].map(l => c(l) === o.other ? 'other'"
                + "   : c(l) === o.none ? 'none' : 'digit');"))
                .containsExactly("digit", "digit", "digit", "digit", "other", "other", "other", "other", "other", "other",
                        "none");
        assertThat(browser.findElement(By.id("latent-legend")).getText()).contains("other label", "no label");

        String fashionAlert = "return Array.from(document.querySelectorAll('#alerts li'))"
                + "  .find(li => (li.querySelector('.alert-label') || {}).textContent?.startsWith('fashion:'));";
        waitInPage(browser, "an alert on a Fashion image", "return !!(function () { " + fashionAlert + " })();");
        Map<?, ?> alert = (Map<?, ?>) browser.executeScript("var li = (function () { " + fashionAlert + " })();"
                + " return { label: li.querySelector('.alert-label').textContent,"
                + "   score: li.querySelector('.alert-score').textContent };");
        assertThat((String) alert.get("label")).matches("fashion:[a-z-]+");
        java.util.regex.Matcher p = java.util.regex.Pattern.compile("^p ([0-9.e+-]+) · ").matcher((String) alert.get("score"));
        assertThat(p.find()).as("p-value in " + alert.get("score")).isTrue();
        assertThat(Double.parseDouble(p.group(1))).as("an alert's p-value").isLessThan(TARGET);

        // The last images, scored after all others: the newest model's codes (what the scatter shows) include them.
        long scored = ((Number) browser.executeScript("return window.__dash.totals.scored;")).longValue();
        for (int i = 0; i < LATE_FASHION; i++) {
            client.send(fashionImage("late-fashion-" + i, 100 + i));
        }
        client.flush();
        waitInPage(browser, "the late Fashion images scored", "return window.__dash.totals.scored >= arguments[0];",
                scored + LATE_FASHION);
        // Alone and after those, so that the dashboard reads it last (partitions are read in no set order).
        client.send(new ImageRecord("markup-label", null, KafkaTestClient.image("x", fashion, 0).u8(), null, null, null,
                Label.of(MARKUP_LABEL), null));
        client.flush();
        waitInPage(browser, "the markup-labelled image scored", "return window.__dash.totals.scored >= arguments[0];",
                scored + LATE_FASHION + 1);
        // Any pixel this magenta is the "other label" colour: no blend of tab10 colours or grey comes near it.
        waitInPage(browser, "Fashion images drawn in the 'other label' colour",
                "var c = document.getElementById('latent'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data,"
                        + " n = 0; for (var i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 90 && d[i + 2] > 200"
                        + " && d[i + 3] > 100) n++; return n > 10;");
        waitInPage(browser, "the markup label in the recent-images grid",
                "return Array.from(document.querySelectorAll('#grid .cell-label')).some(e => e.textContent === arguments[0]);",
                MARKUP_LABEL);
        assertThat(browser.executeScript("return window.__injected === undefined"
                + " && !document.querySelector('#grid img[src=\"x\"], #alerts img[src=\"x\"]');"))
                .as("the label stayed text").isEqualTo(true);
    }

    /**
     * Drift and feedback. First what the real trainer reports (no verdicts: it gets none here), once
     * it has learnt every image and so publishes no more. Then, as the trainer would write them, a
     * drift event for this model and one for another model, and a training report with verdicts and
     * learning held. The event must be listed and marked on all three charts, at its time: on the
     * training chart, whose data ends before it, at the right edge.
     */
    private void checkDriftAndFeedback(ChromeDriver browser, LocalKafka kafka, StreamAeRunner.Trainer trainer,
                                       KafkaTestClient client) throws Exception {
        long valid = WARM_UP_IMAGES + FAST_IMAGES + LATE_FASHION + 1;
        waitUntil("the trainer has learnt or skipped every valid image and published it", WAIT, () -> {
            TrainingMetrics m = trainer.metrics().lastPublished();
            return m != null && m.examplesSeen() + m.skippedAnomalies() == valid;
        });
        TrainingMetrics last = trainer.metrics().lastPublished();
        waitInPage(browser, "the trainer's last report on the page",
                "return window.__dash.trainingVersion === arguments[0];", last.modelVersion());
        assertThat(last.precision()).as("no verdicts were sent").isNull();
        assertThat(text(browser, "drift-phase")).isEqualTo(last.driftPhase().toLowerCase());
        assertThat(text(browser, "drift-policy")).isEqualTo(" · policy " + last.driftPolicy());
        assertThat(text(browser, "drift-note")).startsWith("statistic ");
        assertThat(text(browser, "precision")).isEqualTo("–");
        assertThat(text(browser, "verdicts")).isEqualTo("no verdicts yet");

        try (var admin = kafka.admin()) {
            if (!admin.listTopics().names().get().contains(Topics.MODEL_EVENTS)) {
                LOG.info("{} does not exist (a deployment older than drift events): created now", Topics.MODEL_EVENTS);
                admin.createTopics(List.of(new NewTopic(Topics.MODEL_EVENTS, 1, (short) 1))).all().get();
            }
        }
        // The report first: verdicts and a held stream, as the trainer publishes them.
        long reportedAt = System.currentTimeMillis();
        client.send(Topics.TRAINING_METRICS, MODEL, JsonSerde.of(TrainingMetrics.class).toBytes(new TrainingMetrics(
                MODEL, last.modelVersion(), last.loss(), last.metric(), last.threshold(), last.falseAlarmRate(),
                last.alertRate(), last.contamination(), last.calibrationCount(), last.alerting(), last.examplesSeen(),
                last.steps(), last.skippedAnomalies(), 0, reportedAt, "hold", "SUSPECTED", 131.5, true, 3L, 9L, 0.75)));
        client.flush();
        waitInPage(browser, "the operators' precision", "return document.getElementById('precision').textContent !== '–';");
        assertThat(text(browser, "precision")).isEqualTo("75.0 %");
        assertThat(text(browser, "verdicts")).isEqualTo("9 anomaly · 3 normal verdicts");
        assertThat(text(browser, "drift-phase")).isEqualTo("suspected");
        assertThat(text(browser, "drift-policy")).isEqualTo(" · policy hold");
        assertThat(browser.findElement(By.id("drift-phase")).getAttribute("class")).isEqualTo("drift-suspected");
        assertThat(text(browser, "drift-note")).isEqualTo("learning held · 131.5 of 250");

        // Then the events, 3 s after the report: only a chart range reaching out to an event newer
        // than the data shows it on the training chart.
        long t = reportedAt + 3000;
        JsonSerde<ModelEvent> events = JsonSerde.of(ModelEvent.class);
        client.send(Topics.MODEL_EVENTS, MODEL, events.toBytes(new ModelEvent(MODEL, last.modelVersion(),
                "DRIFT_SUSPECTED", "hold", 3800, 3410, 131.5, 100, last.examplesSeen(), t)));
        client.send(Topics.MODEL_EVENTS, "other-model", events.toBytes(new ModelEvent("other-model", 3,
                "DRIFT_CONFIRMED", "adapt", 424_242, 424_000, 250.5, 250, 400_000, t)));
        client.flush();
        String marker = "#chart-%s .u-over .marker[data-type=DRIFT_SUSPECTED]";
        waitInPage(browser, "the drift event listed and marked on the three charts",
                "return !!document.querySelector('#events li[data-type=DRIFT_SUSPECTED]')"
                        + " && ['training', 'anomaly', 'throughput'].every(c => document.querySelector(arguments[0]"
                        + "   .replace('%s', c)));", marker);
        for (String chart : List.of("training", "anomaly", "throughput")) {
            Map<?, ?> m = (Map<?, ?>) browser.executeScript("var m = document.querySelector(arguments[0]),"
                    + " over = m.closest('.u-over');"
                    + " return { t: Number(m.dataset.t), left: parseFloat(m.style.left), width: over.clientWidth,"
                    + "   label: m.textContent, colour: getComputedStyle(m).borderLeftColor };", marker.replace("%s", chart));
            assertThat(number(m, "t")).as(chart + " marker's time, s").isEqualTo(t / 1000.0);
            assertThat(m.get("label")).as(chart).isEqualTo("drift suspected");
            assertThat(m.get("colour")).as(chart + " marker in the colour of its kind").isEqualTo("rgb(230, 159, 0)");
            assertThat(number(m, "left")).as(chart + " marker inside the plot").isBetween(0.0, number(m, "width"));
        }
        // The training chart's data ends with the report, 3 s before the event (the other two run on with
        // the scorer's idle seconds): the event, its newest point, stands at the right edge.
        assertThat((Map<?, ?>) browser.executeScript("var m = document.querySelector(arguments[0]);"
                + " return { left: parseFloat(m.style.left), width: m.closest('.u-over').clientWidth };",
                marker.replace("%s", "training")))
                .satisfies(m -> assertThat(number(m, "left")).isGreaterThan(number(m, "width") - 2));
        List<?> listed = (List<?>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#events li')).map(li => li.textContent);");
        assertThat(listed).as("model events listed").anySatisfy(e -> assertThat((String) e).contains("drift suspected",
                "model v" + last.modelVersion(), "image 3,800 (change from 3,410)", "statistic 131.5 of 100", "policy hold"))
                .noneSatisfy(e -> assertThat((String) e).contains("424,242"));
        assertThat(browser.findElement(By.id("events-empty")).isDisplayed()).isFalse();
        assertThat((List<?>) browser.executeScript("return window.__dashErrors;")).as("errors in the page").isEmpty();
    }

    /** An element's text as the page wrote it (getText would apply the label's text-transform). */
    private static String text(ChromeDriver browser, String id) {
        return (String) browser.executeScript("return document.getElementById(arguments[0]).textContent;", id);
    }

    /** Makes the window as tall as the page, so that the screenshot shows all of it. */
    private static void fitWindowToPage(ChromeDriver browser) {
        long pageHeight = (Long) browser.executeScript("return document.documentElement.scrollHeight;");
        long chrome = (Long) browser.executeScript("return window.outerHeight - window.innerHeight;");
        browser.manage().window().setSize(new Dimension(1440, (int) (pageHeight + chrome)));
    }

    /** A list the page returned, as strings. */
    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }

    private static double number(Map<?, ?> probe, String key) {
        return ((Number) probe.get(key)).doubleValue();
    }

    private static void waitInPage(ChromeDriver browser, String what, String script, Object... args) {
        new WebDriverWait(browser, WAIT, Duration.ofMillis(250))
                .withMessage(() -> "waiting for " + what + "; page: " + browser.executeScript(
                        "return JSON.stringify({ probe: window.__dash, errors: window.__dashErrors });"))
                .until(d -> Boolean.TRUE.equals(((ChromeDriver) d).executeScript(script, args)));
    }

    private static String canvas(ChromeDriver browser) {
        return (String) browser.executeScript("return document.getElementById('latent').toDataURL();");
    }

    /** Quits the browser however far the test got (also when it failed while Chromium was starting). */
    private static void quit(CompletableFuture<ChromeDriver> browser) {
        try {
            browser.join().quit();
        } catch (RuntimeException e) {
            LOG.warn("could not quit the browser: {}", e.toString());
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
