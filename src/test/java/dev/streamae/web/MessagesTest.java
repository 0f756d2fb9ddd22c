package dev.streamae.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamae.model.Architecture;
import dev.streamae.model.Calibration;
import dev.streamae.model.CalibrationFit;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.Snapshot;
import dev.streamae.streams.Label;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the page is sent, as JSON: labels as they came (a string, an integer or nothing) on latent
 * points and as exact text in captions; the alerting figures of a model from its calibration, at the
 * dashboard's false-alarm rate; an alert's p-value.
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

    private static Snapshot snapshot(Calibration calibration, long examplesToWarmUp) {
        return new Snapshot("streamae", 5, ARCHITECTURE, ErrorMetric.MSE, 10_000, 600, examplesToWarmUp, calibration,
                Instant.ofEpochMilli(NOW), new float[(int) ARCHITECTURE.parameterCount()], null);
    }
}
