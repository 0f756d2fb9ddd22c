package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.image.Datasets;
import java.util.Arrays;
import java.util.stream.IntStream;
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
    void cyclesTheDigitsInASeededOrderWithAnomaliesInjectedAtTheRate() {
        PrequentialStream stream = PrequentialStream.cycle(digits, fashion, 0.02, 5_000, 7);

        assertThat(stream.size()).isEqualTo(5_000);
        // Binomial(5000, 0.02): mean 100, standard deviation 9.9.
        assertThat(stream.anomalyCount()).isBetween(70, 130);
        int[] normal = IntStream.range(0, stream.size()).filter(p -> !stream.anomalous()[p]).map(p -> stream.index()[p])
                .toArray();
        // Each pass over the digits is the same permutation of all 980 of them.
        int[] firstPass = Arrays.copyOf(normal, 980);
        assertThat(Arrays.stream(firstPass).sorted().toArray()).isEqualTo(IntStream.range(0, 980).toArray());
        assertThat(firstPass).isNotEqualTo(IntStream.range(0, 980).toArray());
        assertThat(Arrays.copyOfRange(normal, 980, 1960)).isEqualTo(firstPass);
        assertThat(IntStream.range(0, stream.size()).filter(p -> stream.anomalous()[p]).map(p -> stream.index()[p]))
                .allSatisfy(i -> assertThat(i).isBetween(0, 99));
        assertThat(stream.rows(10, 12)[1]).isEqualTo((stream.anomalous()[11] ? fashion : digits).images()
                .pixels(stream.index()[11]));
        assertThat(stream.label(11)).isEqualTo((stream.anomalous()[11] ? fashion : digits).labels()[stream.index()[11]]);

        PrequentialStream again = PrequentialStream.cycle(digits, fashion, 0.02, 5_000, 7);
        PrequentialStream other = PrequentialStream.cycle(digits, fashion, 0.02, 5_000, 8);
        assertThat(again.index()).isEqualTo(stream.index());
        assertThat(again.anomalous()).isEqualTo(stream.anomalous());
        assertThat(other.anomalous()).isNotEqualTo(stream.anomalous());
        assertThat(PrequentialStream.cycle(digits, fashion, 0, 2_000, 7).anomalyCount()).isZero();
    }

    @Test
    void rejectsARateOutOfRangeOrNothingToDrawFrom() {
        assertThatThrownBy(() -> PrequentialStream.cycle(digits, fashion, 1.0, 10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> PrequentialStream.cycle(digits, fashion.first(0), 0.1, 10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images to draw from");
        assertThatThrownBy(() -> PrequentialStream.cycle(digits, fashion, 0.1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive length");
    }
}
