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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard in a real browser during a short run of the real trainer and scorer on the embedded
 * broker: every chart gets data, alerts appear with their original and reconstruction, the model
 * version and the exact dead-letter count show, the latent space rotates under the mouse, and the
 * page logs no error. Responsiveness: while 3,000 images stream as fast as the scorer takes them,
 * the page gets at most 4 events a second, holds at most the cap of latent points (and reaches it),
 * and handles each event well under a second. Saves target/dashboard.png.
 */
class DashboardBrowserTest {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserTest.class);
    private static final Map<String, String> SETTINGS = Map.of(
            "train.batch.size", "16",
            "publish.every.steps", "10",
            "publish.interval.ms", "1000",
            "warmup.examples", "800");
    private static final int WARM_UP_IMAGES = 900;
    private static final int FAST_IMAGES = 3000;
    private static final int FASHION_EVERY = 15;
    private static final int BAD_RECORDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

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

    private void streamFast(KafkaTestClient client) {
        List<Runnable> sends = new ArrayList<>();
        for (int i = 0; i < FAST_IMAGES; i++) {
            int n = i;
            sends.add(n % FASHION_EVERY == 0
                    ? () -> client.send(KafkaTestClient.image("fashion-" + n, fashion, n % fashion.count()))
                    : () -> client.send(KafkaTestClient.image("digit-" + n, heldOut, n % heldOut.count())));
        }
        bad.subList(BAD_RECORDS / 2, BAD_RECORDS).forEach(b -> sends.add(() -> client.send(Topics.IMAGES, b.id(), b.value())));
        Collections.shuffle(sends, new Random(5));
        sends.forEach(Runnable::run);
        client.flush();
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
    }

    /** Makes the window as tall as the page, so that the screenshot shows all of it. */
    private static void fitWindowToPage(ChromeDriver browser) {
        long pageHeight = (Long) browser.executeScript("return document.documentElement.scrollHeight;");
        long chrome = (Long) browser.executeScript("return window.outerHeight - window.innerHeight;");
        browser.manage().window().setSize(new Dimension(1440, (int) (pageHeight + chrome)));
    }

    private static double number(Map<?, ?> probe, String key) {
        return ((Number) probe.get(key)).doubleValue();
    }

    private static void waitInPage(ChromeDriver browser, String what, String script, Object... args) {
        new WebDriverWait(browser, WAIT, Duration.ofMillis(250))
                .withMessage("waiting for " + what)
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
