package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.image.Datasets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrequentialStreamTest {

    private static Datasets.Labelled digits;
    private static Datasets.Labelled fashion;

    @BeforeAll
    static void load() {
        digits = Datasets.mnistTrain().evenlySpaced(980);
        fashion = Datasets.fashion().first(100);
    }

    @Test
    void injectsTheRateOfAnomaliesAmongAllDigitsInASeededOrder() {
        PrequentialStream stream = PrequentialStream.inject(digits, fashion, 0.02, 7);

        assertThat(PrequentialStream.anomaliesFor(980, 0.02)).isEqualTo(20);
        assertThat(stream.size()).isEqualTo(1_000);
        assertThat(stream.anomalyCount()).isEqualTo(20);
        int[] perDigit = new int[10];
        for (int i = 0; i < stream.size(); i++) {
            if (!stream.anomalous()[i]) {
                perDigit[stream.labels()[i]]++;
            }
        }
        assertThat(Arrays.stream(perDigit).boxed()).allSatisfy(count -> assertThat(count).isBetween(80, 120));
        // Shuffled: the anomalies are not bunched at the end, and the digits are not grouped.
        assertThat(firstAnomaly(stream)).isLessThan(900);
        assertThat(stream.labels()).isNotEqualTo(Arrays.stream(stream.labels()).sorted().toArray());

        PrequentialStream again = PrequentialStream.inject(digits, fashion, 0.02, 7);
        PrequentialStream other = PrequentialStream.inject(digits, fashion, 0.02, 8);
        assertThat(again.rows()).isDeepEqualTo(stream.rows());
        assertThat(other.anomalous()).isNotEqualTo(stream.anomalous());
    }

    @Test
    void rejectsARateThatNeedsMoreAnomaliesThanGivenOrIsOutOfRange() {
        assertThatThrownBy(() -> PrequentialStream.inject(digits, fashion, 0.2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 245 anomalies");
        assertThatThrownBy(() -> PrequentialStream.anomaliesFor(10, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1)");
    }

    private static int firstAnomaly(PrequentialStream stream) {
        for (int i = 0; i < stream.size(); i++) {
            if (stream.anomalous()[i]) {
                return i;
            }
        }
        return -1;
    }
}
