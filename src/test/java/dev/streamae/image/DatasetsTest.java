package dev.streamae.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetsTest {

    @Test
    void seedSplitHoldsOutEveryFifthDigitAndPairsThemWithAsManyFashionImages() {
        Datasets.Split split = Datasets.seedSplit();
        assertThat(split.train().count()).isEqualTo(8_000);
        assertThat(split.heldOut().count()).isEqualTo(2_000);
        assertThat(split.anomalies().count()).isEqualTo(2_000);
        assertThat(split.anomalies().images().pixels(0)).isEqualTo(Datasets.fashion().images().pixels(0));
        assertThat(split.heldOut().images().pixels(0)).isEqualTo(Datasets.mnist().images().pixels(4));
    }

    @Test
    void evenlySpacedSamplesCoverEveryDigitOfTheGroupedFile() {
        Datasets.Labelled sample = Datasets.mnistTrain().evenlySpaced(100);
        assertThat(sample.count()).isEqualTo(100);
        int[] perDigit = new int[10];
        Arrays.stream(sample.labels()).forEach(label -> perDigit[label]++);
        assertThat(Arrays.stream(perDigit).boxed()).allSatisfy(count -> assertThat(count).isBetween(7, 13));
        assertThatThrownBy(() -> sample.evenlySpaced(101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sample.evenlySpaced(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void firstOfEachLabelFindsOneImageOfEveryDigitInLabelOrder() {
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        int[] picks = heldOut.firstOfEachLabel();
        assertThat(picks).hasSize(10);
        for (int label = 0; label < 10; label++) {
            assertThat(heldOut.labels()[picks[label]]).isEqualTo(label);
        }
    }
}
