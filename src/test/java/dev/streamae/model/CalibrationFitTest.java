package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The calibration on seeded synthetic windows shaped like a model's errors: normal errors from a
 * right-skewed body (a gamma distribution, shape 8, as squared-error sums are) and anomalies spread
 * broadly above it (log-normal, median 4.5 times the normal mean, a few percent of them inside the
 * normal tail), at 0-10%, as Fashion-MNIST's errors lie above the digits'. The false-alarm rate is
 * measured on a fresh sample of normal errors, which the fit never saw, so a fit that merely
 * memorised its window would not pass. (Anomalies that pile up just above the normal tail, rather
 * than spread above it, break the fit's assumption: see docs/alerts.md.)
 */
class CalibrationFitTest {

    private static final double RATE = 0.005;

    /** Gamma(8, 1/80): mean 0.1, standard deviation 0.035. */
    private static double normal(SplittableRandom r) {
        double sum = 0;
        for (int i = 0; i < 8; i++) {
            sum -= Math.log(1 - r.nextDouble());
        }
        return sum / 80;
    }

    /** Anomalies: log-normal, median 0.45; about 2% of them below the normal errors' 0.995 quantile (0.21). */
    private static double anomaly(SplittableRandom r) {
        return 0.45 * Math.exp(0.4 * r.nextGaussian());
    }

    private static double[] window(int n, double contamination, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextDouble() < contamination ? anomaly(r) : normal(r);
        }
        return w;
    }

    private static double falseAlarmRate(double threshold, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 200_000;
        int above = 0;
        for (int i = 0; i < n; i++) {
            above += normal(r) > threshold ? 1 : 0;
        }
        return (double) above / n;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.01, 0.03, 0.1})
    void theThresholdFlagsAboutTheTargetShareOfNormalErrorsAtAnyContamination(double contamination) {
        for (long seed = 1; seed <= 3; seed++) {
            double[] w = window(10_000, contamination, seed);
            Calibration c = CalibrationFit.fit(w, RATE);
            double far = falseAlarmRate(c.threshold(RATE), 100 + seed);
            // Up to 3%: within the target band. At 10% the anomaly component still takes some of the
            // normal tail for anomalies and the rate overshoots (1.8-2.5x on this shape, 1.5x on
            // MNIST; docs/alerts.md), where the quantile rule it replaces flags next to nothing.
            double upper = contamination < 0.05 ? 1.5 : 2.5;
            assertThat(far / RATE).as("false-alarm rate / target at %s%% contamination, seed %d", 100 * contamination, seed)
                    .isBetween(0.5, upper);
            assertThat(c.contamination()).as("contamination estimate").isBetween(contamination * 0.6 - 0.003,
                    contamination * 1.4 + 0.003);
            assertThat(c.windowCount()).isEqualTo(10_000);
        }
    }

    @Test
    void aQuantileOfTheContaminatedWindowWouldMissMostAnomaliesWhereTheFitDoesNot() {
        // What the calibration replaces: at 10% contamination the 0.995 quantile lies among the anomalies.
        double[] w = window(10_000, 0.1, 7);
        double[] sorted = w.clone();
        java.util.Arrays.sort(sorted);
        double quantile = CalibrationFit.quantile(sorted, sorted.length, 1 - RATE);
        double threshold = CalibrationFit.fit(w, RATE).threshold(RATE);
        SplittableRandom r = new SplittableRandom(8);
        int caughtByQuantile = 0;
        int caughtByFit = 0;
        for (int i = 0; i < 10_000; i++) {
            double a = anomaly(r);
            caughtByQuantile += a > quantile ? 1 : 0;
            caughtByFit += a > threshold ? 1 : 0;
        }
        assertThat(caughtByQuantile).as("recall of the quantile rule, of 10,000").isLessThan(1_000);
        assertThat(caughtByFit).as("recall of the calibration, of 10,000").isGreaterThan(9_000);
    }

    @Test
    void olderErrorsAreScaledToWhatNormalCostsNow() {
        // The model halves its errors over the window: the newest errors decide.
        SplittableRandom r = new SplittableRandom(3);
        double[] w = new double[10_000];
        for (int i = 0; i < w.length; i++) {
            w[i] = normal(r) * (2 - (double) i / w.length);
        }
        double far = falseAlarmRate(CalibrationFit.fit(w, RATE).threshold(RATE), 4);
        assertThat(far / RATE).isBetween(0.5, 1.5);
        // Unscaled, the old, larger errors would put the threshold far too high.
        java.util.Arrays.sort(w);
        assertThat(falseAlarmRate(CalibrationFit.quantile(w, w.length, 1 - RATE), 4) / RATE).isLessThan(0.1);
    }

    @Test
    void aWindowOfIdenticalErrorsFlagsAnythingAbove() {
        double[] same = new double[300];
        java.util.Arrays.fill(same, 0.25);
        Calibration c = CalibrationFit.fit(same, RATE);
        assertThat(c.pValue(0.25)).isEqualTo(1.0);
        assertThat(c.pValue(0.26)).isLessThan(RATE);
        assertThat(c.contamination()).isZero();
    }

    @Test
    void tooFewOrBadErrorsAreRefused() {
        assertThatThrownBy(() -> CalibrationFit.fit(new double[199], RATE)).hasMessageContaining("at least 200 errors");
        double[] bad = window(300, 0, 1);
        bad[7] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> CalibrationFit.fit(bad, RATE)).hasMessageContaining("finite");
    }

    @Test
    void aYoungModelsTailWhoseHeavyPartDominatesFromTheCutIsFittedWithoutAnomalies() throws Exception {
        // Errors a replay recorded: above the 0.7 quantile the mixture's heavy part is denser than
        // the light one from the cut on, so the anomaly count above the crossing was 0 / 0 and the
        // fit threw (NaN knots) on a clean stream.
        double[] errors;
        try (var in = CalibrationFitTest.class.getResourceAsStream("/calibration/young-model-errors.txt")) {
            errors = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines()
                    .filter(line -> !line.startsWith("#")).mapToDouble(Double::parseDouble).toArray();
        }
        assertThat(errors).hasSize(1_600);
        Calibration c = CalibrationFit.fit(errors, RATE);
        assertThat(c.contamination()).isZero();
        double[] sorted = errors.clone();
        java.util.Arrays.sort(sorted);
        assertThat(c.threshold(RATE)).as("about the window's own 1 - rate quantile")
                .isBetween(sorted[(int) (sorted.length * (1 - 2 * RATE))], sorted[sorted.length - 1]);
    }
}
