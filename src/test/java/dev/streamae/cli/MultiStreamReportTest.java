package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.streams.ScoreRecord;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TrainingMetrics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's report over several streams: each model's row counts its own stream's images only,
 * and the exactly-once check spans all of them.
 */
class MultiStreamReportTest {

    private final Map<String, Boolean> injected = new HashMap<>();
    private final Map<String, String> streamOf = new HashMap<>();
    private final Map<String, DemoRun.Seen> scores = new HashMap<>();
    private final ScoreTally tally = new ScoreTally();

    /**
     * Sends one image on {@code stream}, scored READY by {@code model} with {@code error}, flagged or
     * not; a model other than the stream's stands in for it as the fallback does ({@code scoredBy}).
     */
    private void image(String stream, String id, boolean anomaly, String model, double error, boolean flagged) {
        injected.put(id, anomaly);
        streamOf.put(id, stream);
        tally.count(id);
        scores.put(id, new DemoRun.Seen(new ScoreRecord(id, stream, 3, model.equals(stream) ? null : model, null, null,
                error, "mse", null, 0.5, flagged, ScoreRecord.Status.READY, null, 0, 0L, 1_000, 1_010), 1_020));
    }

    private DemoRun.Result result(Map<String, TrainingMetrics> trained) {
        return new DemoRun.Result(injected, scores, tally.check(injected.keySet()), 1.0, 0,
                DemoStream.of(List.of("digits", "fashion")), streamOf, trained);
    }

    @Test
    void eachModelsRowCountsItsOwnStreamAndExactlyOnceSpansAll() {
        // digits: 10 normal (one false alarm), 2 anomalies both caught, scored by its own model.
        for (int i = 0; i < 10; i++) {
            image("digits", "d-" + i, false, "digits", 0.1 + i * 0.01, i == 9);
        }
        image("digits", "d-a1", true, "digits", 0.9, true);
        image("digits", "d-a2", true, "digits", 0.8, true);
        // fashion: 6 normal, 2 anomalies of which one is missed, scored by the fallback model.
        for (int i = 0; i < 6; i++) {
            image("fashion", "f-" + i, false, "streamae", 0.2 + i * 0.01, false);
        }
        image("fashion", "f-a1", true, "streamae", 0.9, true);
        image("fashion", "f-a2", true, "streamae", 0.1, false);
        TrainingMetrics digits = new TrainingMetrics("digits", 3, 0.01, "mse", 0.5, 0.004, 0.02, 0.02, 500, true, 1_200,
                19, 0, 100, 1_000, null, null, null, null, null, null, null);

        String report = result(Map.of("digits", digits)).report(StreamAeSettings.from(Map.of()), 0, 1_234, null, List.of(),
                List.of(), Path.of("demo.log"), 2.0);

        assertThat(report).contains("images produced        20 over 2 streams (4 injected anomalies)")
                .contains("20 of 20 images, 20 score records (each exactly once: yes; 0 duplicated, 0 missing), all streams")
                .contains("images trained         1,234, all models")
                .contains("per model (target false-alarm rate 0.40%):");
        List<String> lines = report.lines().toList();
        // ready, anomalies, false alarms, vs target, recall, precision, F1, oracle F1
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("digits ")
                .containsPattern("12 +2 +10.00% +25.00x +1.000 +0.667 +0.800 +1.000"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("fashion")
                .containsPattern("8 +2 +0.00% +0.00x +0.500 +1.000 +0.667 +0.667"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("digits ").contains("v3").contains("1,200 (2.00%)")
                .endsWith("digits"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("fashion").contains("no metrics published")
                .endsWith("streamae"));
        assertThat(report).doesNotContain("AUROC (error,");
    }

    @Test
    void aDuplicateOnOneStreamFailsTheCheckOverAll() {
        image("digits", "d-1", false, "digits", 0.1, false);
        image("fashion", "f-1", false, "fashion", 0.1, false);
        tally.count("f-1");

        DemoRun.Result result = result(Map.of());

        assertThat(result.scoredExactlyOnce()).isFalse();
        assertThat(result.report(StreamAeSettings.from(Map.of()), 0, 0, null, List.of(), List.of(), null, 1.0))
                .contains("each exactly once: NO; 1 duplicated [f-1]");
    }

    @Test
    void oneStreamNamesNoModelAndSeveralNameTheirOwn() {
        assertThat(DemoStream.of(List.of("fashion"))).singleElement()
                .satisfies(s -> assertThat(s.model()).isNull()).satisfies(s -> assertThat(s.anomalyDataset()).isEqualTo("noise"));
        assertThat(DemoStream.of(List.of("digits", "fashion"))).extracting(DemoStream::model)
                .containsExactly("digits", "fashion");
        assertThatThrownBy(() -> DemoStream.of(List.of("digits", "digits"))).hasMessageContaining("named twice");
        assertThatThrownBy(() -> DemoStream.of(List.of("cifar"))).hasMessageContaining("unknown stream 'cifar'");
    }

    @Test
    void aFashionStreamInjectsNoiseFrames() {
        ImageStream stream = DemoStream.of(List.of("fashion")).get(0).open(0.5, 7, "p-");
        long noise = 0;
        for (int i = 0; i < 200; i++) {
            ImageStream.Next next = stream.next();
            assertThat(next.image().id()).startsWith(next.injected() ? "p-noise-" : "p-fashion-");
            if (next.injected()) {
                // Uniform random bytes: mid-grey on average, unlike a digit's black background.
                byte[] pixels = java.util.Base64.getDecoder().decode(next.image().u8());
                double mean = 0;
                for (byte b : pixels) {
                    mean += (b & 0xFF) / 255.0 / pixels.length;
                }
                assertThat(mean).isBetween(0.4, 0.6);
                noise++;
            }
        }
        assertThat(noise).isBetween(70L, 130L);
    }
}
