package dev.streamae.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamae.model.Architecture;
import dev.streamae.model.Calibration;
import dev.streamae.model.CalibrationFit;
import dev.streamae.model.DriftDetector;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.Label;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.TrainingMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the page is sent, as JSON: labels as they came (a string, an integer or nothing) on latent
 * points and as exact text in captions; the alerting figures of a model from its calibration, at the
 * dashboard's false-alarm rate; an alert's p-value; the drift state and the operators' precision on
 * training points, model events, and the detector's levels in a snapshot.
 */
class MessagesTest {

    private static final Architecture ARCHITECTURE = Architecture.parse("784-64-3");
    private static final long NOW = 1_800_000_000_000L;

    private static JsonNode json(Object value) {
        return Messages.JSON.valueToTree(value);
    }

    @Test
    void latentPointsCarryLabelsAsTheyCame() {
        float[] code = {0.1f, 0.2f, 0.3f};
        assertThat(json(Points.Latent.of(code, Label.of("fashion:bag"), true, 4)).toString())
                .isEqualTo("[0.1,0.2,0.3,\"fashion:bag\",1,4]");
        assertThat(json(Points.Latent.of(code, Label.of(3), false, 4)).get(3).isIntegralNumber()).isTrue();
        assertThat(json(Points.Latent.of(code, Label.of("3"), false, 4)).get(3).isTextual()).isTrue();
        assertThat(json(Points.Latent.of(code, null, false, 4)).get(3).isNull()).isTrue();
    }

    @Test
    void captionsGetExactTextEvenForIntegersBeyondWhatABrowserNumberHolds() {
        long big = (1L << 53) + 1; // a JavaScript number would print 9007199254740992
        assertThat(Messages.labelText(Label.of(big))).isEqualTo("9007199254740993");
        assertThat(Messages.labelText(Label.of("<b>bag</b>"))).isEqualTo("<b>bag</b>");
        assertThat(Messages.labelText(null)).isNull();
        Messages.Alert alert = new Messages.Alert("img-1", Messages.labelText(Label.of(7)), 0.08, 2.5e-6, 0.03, "mse",
                4, 4, NOW, null, null);
        JsonNode a = json(alert);
        assertThat(a.get("label").isTextual()).isTrue();
        assertThat(a.get("pValue").asDouble()).isEqualTo(2.5e-6);
        assertThat(a.has("original")).isFalse();
    }

    @Test
    void aModelShowsTheThresholdAtTheDashboardsRateAndTheContaminationOfItsCalibration() {
        Random random = new Random(17);
        double[] errors = new double[4000];
        for (int i = 0; i < errors.length; i++) {
            // Normal errors around 0.02; one image in twenty an anomaly five times worse.
            errors[i] = 0.02 * Math.exp(0.3 * random.nextGaussian()) * (i % 20 == 0 ? 5 : 1);
        }
        Calibration calibration = CalibrationFit.fit(errors, 0.01);
        JsonNode model = json(Messages.Model.of(snapshot(calibration, 0), 0.01, NOW + 2000, 1));
        assertThat(model.get("threshold").asDouble()).isEqualTo(calibration.threshold(0.01));
        assertThat(model.get("falseAlarmRate").asDouble()).isEqualTo(0.01);
        assertThat(model.get("contamination").asDouble()).isEqualTo(calibration.contamination()).isBetween(0.02, 0.1);
        assertThat(model.get("warmedUp").asBoolean()).isTrue();
        assertThat(model.get("ageMs").asLong()).isEqualTo(2000);
        // At a lower target the same calibration puts the threshold higher.
        assertThat(json(Messages.Model.of(snapshot(calibration, 0), 0.001, NOW, 0)).get("threshold").asDouble())
                .isGreaterThan(calibration.threshold(0.01));

        JsonNode warming = json(Messages.Model.of(snapshot(null, 500), 0.01, NOW, 0));
        assertThat(warming.has("threshold")).isFalse();
        assertThat(warming.has("contamination")).isFalse();
        assertThat(warming.get("warmedUp").asBoolean()).isFalse();
        assertThat(warming.get("falseAlarmRate").asDouble()).isEqualTo(0.01);
    }

    @Test
    void trainingPointsCarryTheDriftStateAndTheOperatorsPrecision() {
        JsonNode judged = json(Points.Training.of(metrics("hold", "SUSPECTED", 131.5, true, 3, 9, 0.75)));
        assertThat(judged.get("driftPolicy").asText()).isEqualTo("hold");
        assertThat(judged.get("driftPhase").asText()).isEqualTo("SUSPECTED");
        assertThat(judged.get("driftStatistic").asDouble()).isEqualTo(131.5);
        assertThat(judged.get("learningHeld").asBoolean()).isTrue();
        assertThat(judged.get("feedbackNormal").asLong()).isEqualTo(3);
        assertThat(judged.get("feedbackAnomaly").asLong()).isEqualTo(9);
        assertThat(judged.get("precision").asDouble()).isEqualTo(0.75);
        assertThat(judged.get("loss").asDouble()).isEqualTo(0.02);

        // Before any verdict there is no precision (not 0 %), and a diverged statistic is left out, not NaN.
        JsonNode none = json(Points.Training.of(metrics("adapt", "STABLE", Double.NaN, false, 0, 0, null)));
        assertThat(none.has("precision")).isFalse();
        assertThat(none.has("driftStatistic")).isFalse();
        assertThat(none.get("learningHeld").asBoolean()).isFalse();
        assertThat(none.get("feedbackAnomaly").asLong()).isZero();
        assertThat(none.toString()).doesNotContain("NaN");
    }

    @Test
    void modelEventsTravelWithTheirTimeKindAndWhereTheyHappened() {
        JsonNode e = json(Points.Event.of(new ModelEvent("streamae", 12, "DRIFT_CONFIRMED", "adapt", 5300, 5100, 251.25,
                250, 48_000, NOW)));
        assertThat(e.get("t").asLong()).isEqualTo(NOW);
        assertThat(e.get("type").asText()).isEqualTo("DRIFT_CONFIRMED");
        assertThat(e.get("policy").asText()).isEqualTo("adapt");
        assertThat(e.get("modelVersion").asLong()).isEqualTo(12);
        assertThat(e.get("imagesJudged").asLong()).isEqualTo(5300);
        assertThat(e.get("changeAt").asLong()).isEqualTo(5100);
        assertThat(e.get("statistic").asDouble()).isEqualTo(251.25);
        assertThat(e.get("threshold").asDouble()).isEqualTo(250);
        // A kind this dashboard does not know (a newer trainer's) passes through as written.
        assertThat(json(Points.Event.of(new ModelEvent("streamae", 12, "PINNED", "hold", 1, 1, 0, 0, 0, NOW)))
                .get("type").asText()).isEqualTo("PINNED");
    }

    @Test
    void aSnapshotCarriesTheDetectorsLevelsAndADeltaOnlyNewEvents() {
        Points.Event event = Points.Event.of(new ModelEvent("streamae", 3, "LEARNING_HELD", "hold", 700, 640, 100.5,
                100, 9000, NOW));
        JsonNode snapshot = json(new Messages.Update("snapshot", NOW, "streamae", null, null, null, List.of(), List.of(),
                List.of(), List.of(), List.of(event), null, Messages.DriftLevels.DETECTOR, List.of()));
        assertThat(snapshot.get("driftLevels").get("suspect").asDouble()).isEqualTo(DriftDetector.SUSPECT_AT);
        assertThat(snapshot.get("driftLevels").get("confirm").asDouble()).isEqualTo(DriftDetector.CONFIRM_AT);
        assertThat(snapshot.get("events")).hasSize(1);
        assertThat(snapshot.get("events").get(0).get("type").asText()).isEqualTo("LEARNING_HELD");
        JsonNode delta = json(new Messages.Update("delta", NOW, "streamae", null, null, null, null, null, null, null,
                null, null, null, null));
        assertThat(delta.has("events")).isFalse();
        assertThat(delta.has("driftLevels")).isFalse();
    }

    static TrainingMetrics metrics(String policy, String phase, double statistic, boolean held, long normal,
                                   long anomaly, Double precision) {
        return new TrainingMetrics("streamae", 8, 0.02, "mse", 0.05, 0.01, 0.03, 0.02, 500, true, 20_000, 1250, 40,
                900, NOW, policy, phase, statistic, held, normal, anomaly, precision);
    }

    static Snapshot snapshotOf(String model, long version) {
        return new Snapshot(model, version, ARCHITECTURE, ErrorMetric.MSE, 10_000, 600, 0, null,
                Instant.ofEpochMilli(NOW), new float[(int) ARCHITECTURE.parameterCount()], null);
    }

    private static Snapshot snapshot(Calibration calibration, long examplesToWarmUp) {
        return new Snapshot("streamae", 5, ARCHITECTURE, ErrorMetric.MSE, 10_000, 600, examplesToWarmUp, calibration,
                Instant.ofEpochMilli(NOW), new float[(int) ARCHITECTURE.parameterCount()], null);
    }
}
