package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AurocTest {

    @Test
    void perfectSeparationIsOneAndReversedIsZero() {
        assertThat(Auroc.of(new double[] {0.1, 0.2}, new double[] {0.3, 0.4})).isEqualTo(1.0);
        assertThat(Auroc.of(new double[] {0.3, 0.4}, new double[] {0.1, 0.2})).isEqualTo(0.0);
    }

    @Test
    void tiesCountHalf() {
        assertThat(Auroc.of(new double[] {0.5, 0.5}, new double[] {0.5})).isEqualTo(0.5);
    }

    @Test
    void matchesAHandCountOfOrderedPairs() {
        double[] normal = {0.1, 0.4, 0.35, 0.8};
        double[] anomalous = {0.9, 0.35, 0.5};
        // Pairs (anomalous > normal): 0.9 beats 4; 0.35 beats 0.1, ties 0.35 (half); 0.5 beats 3.
        double expected = (4 + 1 + 0.5 + 3) / 12.0;
        assertThat(Auroc.of(normal, anomalous)).isCloseTo(expected, within(1e-12));
    }
}
