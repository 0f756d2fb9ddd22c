package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorMetricTest {

    private static final float[] INPUT = {0f, 1f, 0.5f, 0.25f};
    private static final float[] RECON = {0.1f, 0.8f, 0.5f, 0.75f};

    @Test
    void mseIsTheMeanSquaredDifference() {
        double expected = (0.01 + 0.04 + 0 + 0.25) / 4;
        assertThat(ErrorMetric.MSE.of(INPUT, RECON)).isCloseTo(expected, within(1e-7));
    }

    @Test
    void maeIsTheMeanAbsoluteDifference() {
        double expected = (0.1 + 0.2 + 0 + 0.5) / 4;
        assertThat(ErrorMetric.MAE.of(INPUT, RECON)).isCloseTo(expected, within(1e-7));
    }

    @Test
    void bceIsTheMeanBinaryCrossEntropy() {
        double expected = (-Math.log(1 - 0.1) - Math.log(0.8) - (0.5 * Math.log(0.5) + 0.5 * Math.log(0.5))
                - (0.25 * Math.log(0.75) + 0.75 * Math.log(0.25))) / 4;
        assertThat(ErrorMetric.BCE.of(INPUT, RECON)).isCloseTo(expected, within(1e-6));
    }

    @Test
    void bceClampsSoAPerfectlyWrongPixelStaysFinite() {
        double e = ErrorMetric.BCE.of(new float[] {1f}, new float[] {0f});
        assertThat(e).isCloseTo(-Math.log(1e-6), within(1e-6));
    }

    @Test
    void bceSkipsOnlyTermsMultipliedByZeroSoEveryBitMatchesTheFullFormula() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        float[] input = new float[784];
        float[] recon = new float[784];
        for (int i = 0; i < input.length; i++) {
            int kind = random.nextInt(3);
            input[i] = kind == 0 ? 0f : kind == 1 ? 1f : random.nextInt(256) / 255f;
            recon[i] = i % 97 == 0 ? (i % 2 == 0 ? 0f : 1f) : (float) random.nextDouble();
        }
        double sum = 0;
        for (int i = 0; i < input.length; i++) {
            double x = input[i];
            double rc = Math.min(1 - 1e-6, Math.max(1e-6, recon[i]));
            sum -= x * Math.log(rc) + (1 - x) * Math.log(1 - rc);
        }
        assertThat(ErrorMetric.BCE.of(input, recon)).isEqualTo(sum / input.length);
    }

    @Test
    void offsetsSelectOneRowOfAFlatBatch() {
        float[] flat = {9, 9, 0f, 1f, 0.5f, 0.25f};
        assertThat(ErrorMetric.MSE.of(flat, 2, RECON, 0, 4)).isEqualTo(ErrorMetric.MSE.of(INPUT, RECON));
    }

    @Test
    void parsesCaseInsensitively() {
        assertThat(ErrorMetric.parse(" Bce ")).isEqualTo(ErrorMetric.BCE);
        assertThat(ErrorMetric.MAE.id()).isEqualTo("mae");
        assertThatThrownBy(() -> ErrorMetric.parse("rmse")).hasMessageContaining("rmse");
    }
}
