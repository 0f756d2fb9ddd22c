package dev.streamae.web;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.it.KafkaTestClient;
import dev.streamae.it.MalformedRecords;
import dev.streamae.it.StreamAeRunner;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import dev.streamae.streams.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard in a real browser during a short run of the real trainer and scorer on the embedded
 * broker: every chart gets data, alerts appear with their original and reconstruction, the model
 * version and the dead-letter count show, rotating the latent space works, the page logs no error,
 * and, while 3,000 images stream as fast as the scorer takes them, the page gets at most a few
 * events a second and never holds more latent points than the cap. Saves target/dashboard.png.
 */
class DashboardBrowserTest {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserTest.class);
    private static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", "1500",
            "threshold.quantile", "0.99");
    private static final int WARM_UP_IMAGES = 1600;
    private static final int FAST_IMAGES = 3000;
    private static final int FASHION_EVERY = 15;
    private static final int BAD_RECORDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(180)
    void liveFiguresAlertsAndBoundedUpdatesInHeadlessChromium(@TempDir Path tmp) throws Exception {
        assumeTrue(HeadlessChromium.installed(), "needs Debian's chromium and chromium-driver");
        long t0 = System.nanoTime();
        Datasets.Labelled mnist = Datasets.mnistTrain();
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        Datasets.Labelled fashion = Datasets.fashion();
        DashboardLimits limits = DashboardLimits.defaults();

        try (LocalKafka kafka = LocalKafka.start()) {
            try (var admin = kafka.admin()) {
                TopicAdmin.ensure(admin, TopicDeclarations.load().all());
            }
            StreamAeSettings settings = StreamAeSettings.from(SETTINGS);
            try (var trainer = StreamAeRunner.trainer(kafka, tmp.resolve("trainer"), SETTINGS);
                 var scorer = StreamAeRunner.scorer(kafka, tmp.resolve("scorer"), SETTINGS);
                 var client = new KafkaTestClient(kafka);
                 Dashboard dashboard = new Dashboard(kafka.clientProperties(), settings, "127.0.0.1", 0).start()) {
                ChromeDriver browser = HeadlessChromium.start(tmp.resolve("chromium"), 1440, 1560);
                try {
                    LOG.info("broker, topologies, dashboard and browser up after {} ms", millisSince(t0));
                    browser.get(dashboard.url().toString());
                    waitInPage(browser, "the page receives its first event", "return window.__dash.messages > 0");

                    // Phase 1: digits to warm the model up, and some records for the dead-letter queue.
                    List<MalformedRecords.Bad> bad = MalformedRecords.generate(BAD_RECORDS);
                    for (int i = 0; i < WARM_UP_IMAGES; i++) {
                        client.send(KafkaTestClient.image("warm-" + i, mnist, i));
                    }
                    bad.subList(0, BAD_RECORDS / 2).forEach(b -> client.send(Topics.IMAGES, b.id(), b.value()));
                    client.flush();
                    waitUntil("the scorer holds a warmed-up model", WAIT, () -> scorer.registry().current() != null
                            && scorer.registry().current().threshold().warmedUp());
                    waitInPage(browser, "model version, training points and dead letters on the page",
                            "return window.__dash.modelVersion > 0 && window.__dash.chartPoints.training > 0"
                                    + " && window.__dash.deadLetters > 0");
                    LOG.info("model warmed up after {} ms", millisSince(t0));

                    // Phase 2: 3,000 images as fast as the broker takes them, a few Fashion among the digits.
                    List<Runnable> fast = new ArrayList<>();
                    for (int i = 0; i < FAST_IMAGES; i++) {
                        int index = i;
                        fast.add(i % FASHION_EVERY == 0
                                ? () -> client.send(KafkaTestClient.image("fashion-" + index, fashion, index % fashion.count()))
                                : () -> client.send(KafkaTestClient.image("digit-" + index, heldOut, index % heldOut.count())));
                    }
                    bad.subList(BAD_RECORDS / 2, BAD_RECORDS).forEach(b -> fast.add(() -> client.send(Topics.IMAGES, b.id(), b.value())));
                    Collections.shuffle(fast, new Random(5));
                    long streamStart = System.nanoTime();
                    fast.forEach(Runnable::run);
                    client.flush();
                    int valid = WARM_UP_IMAGES + FAST_IMAGES;
                    waitInPage(browser, "every valid image scored and every bad record counted on the page",
                            "var t = window.__dash; return t.totals && t.totals.scored >= " + valid
                                    + " && t.deadLetters >= " + BAD_RECORDS);
                    LOG.info("{} images scored {} ms after the fast stream started", FAST_IMAGES, millisSince(streamStart));

                    waitInPage(browser, "every chart has data and an alert shows two images",
                            "var d = window.__dash, c = d.chartPoints;"
                                    + " if (!(c.training > 0 && c.anomaly > 0 && c.throughput > 0 && d.counts.latent > 0"
                                    + "     && d.counts.grid > 0)) return false;"
                                    + " return Array.from(document.querySelectorAll('#alerts li')).some(li => {"
                                    + "   var imgs = li.querySelectorAll('img');"
                                    + "   return imgs.length === 2 && Array.from(imgs).every(i => i.complete && i.naturalWidth === 28); });");

                    Map<?, ?> probe = (Map<?, ?>) browser.executeScript("return window.__dash;");
                    LOG.info("page probe: {}", probe);
                    assertThat(((Number) probe.get("deadLetters")).intValue()).as("dead letters, counted exactly")
                            .isEqualTo(BAD_RECORDS);
                    assertThat(((Number) probe.get("modelVersion")).longValue()).isPositive();
                    assertThat(((Number) probe.get("maxEventsPerSecond")).intValue())
                            .as("events per second at the page while images streamed").isBetween(1, 4);
                    assertThat(((Number) probe.get("maxLatent")).intValue()).as("latent points ever held by the page")
                            .isEqualTo(limits.latentPoints());
                    assertThat(dashboard.latentPoints()).isLessThanOrEqualTo(limits.latentPoints());
                    assertThat(((Number) probe.get("maxHandleMs")).doubleValue()).as("slowest event handling, ms")
                            .isLessThan(1000);
                    assertThat(browser.findElement(By.id("model-version")).getText()).matches("v\\d+");

                    // The latent space rotates under the mouse.
                    String before = canvas(browser);
                    new Actions(browser).clickAndHold(browser.findElement(By.id("latent"))).moveByOffset(120, 40)
                            .release().perform();
                    waitInPage(browser, "the scatter is redrawn after a drag",
                            "return document.getElementById('latent').toDataURL() !== arguments[0];", before);

                    assertThat((List<?>) browser.executeScript("return window.__dashErrors;")).as("errors in the page")
                            .isEmpty();
                    assertThat(HeadlessChromium.consoleErrors(browser)).as("console errors").isEmpty();

                    Path shot = Path.of("target", "dashboard.png");
                    Files.createDirectories(shot.getParent());
                    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
                    LOG.info("screenshot in {}; test body took {} ms", shot.toAbsolutePath(), millisSince(t0));
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static void waitInPage(ChromeDriver browser, String what, String script, Object... args) {
        new WebDriverWait(browser, WAIT, Duration.ofMillis(250))
                .withMessage("waiting for " + what)
                .until(d -> Boolean.TRUE.equals(((ChromeDriver) d).executeScript(script, args)));
    }

    private static String canvas(ChromeDriver browser) {
        return (String) browser.executeScript("return document.getElementById('latent').toDataURL();");
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
