package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AurocTest {

    @Test
    void perfectSeparationIsOne() {
        assertThat(Auroc.auroc(new double[] {1, 2, 3}, new double[] {4, 5})).isEqualTo(1.0);
        // Order of the inputs does not matter.
        assertThat(Auroc.auroc(new double[] {3, 1, 2}, new double[] {5, 4})).isEqualTo(1.0);
    }

    @Test
    void reversedIsZero() {
        assertThat(Auroc.auroc(new double[] {4, 5}, new double[] {1, 2, 3})).isEqualTo(0.0);
    }

    @Test
    void allEqualScoresAreExactlyOneHalf() {
        assertThat(Auroc.auroc(new double[] {0.3, 0.3}, new double[] {0.3, 0.3, 0.3})).isEqualTo(0.5);
        assertThat(Auroc.auroc(new double[] {7}, new double[] {7})).isEqualTo(0.5);
    }

    @Test
    void handComputedWithTies() {
        // Positive 2 beats negative 1, ties negative 2 (half), loses to 3: 1.5. Positive 4 beats all three: 3.
        // (1.5 + 3) / (2 * 3) = 0.75.
        assertThat(Auroc.auroc(new double[] {1, 2, 3}, new double[] {2, 4})).isEqualTo(0.75);
        // scikit-learn's documented example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] -> 0.75.
        assertThat(Auroc.auroc(new double[] {0.1, 0.4}, new double[] {0.35, 0.8})).isEqualTo(0.75);
        // Ties on both sides: positive 1 ties two negatives (1), positive 1 again (1), positive 2 beats both (2): 4 / 6.
        assertThat(Auroc.auroc(new double[] {1, 1}, new double[] {1, 1, 2})).isCloseTo(4.0 / 6, within(1e-15));
        // Negative and positive zero are one score.
        assertThat(Auroc.auroc(new double[] {-0.0}, new double[] {0.0})).isEqualTo(0.5);
    }

    @Test
    void agreesWithPairCountingAndRankSumOnRandomTiedData() {
        Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            double[] neg = random.ints(1 + random.nextInt(60), 0, 6).asDoubleStream().toArray();
            double[] pos = random.ints(1 + random.nextInt(60), 1, 8).asDoubleStream().toArray();
            double auc = Auroc.auroc(neg, pos);
            assertThat(auc).isCloseTo(pairCounting(neg, pos), within(1e-12));
            assertThat(auc).isCloseTo(rankSum(neg, pos), within(1e-12));
        }
    }

    @Test
    void largeInputsAreFast() {
        Random random = new Random(1);
        double[] neg = random.doubles(500_000).toArray();
        double[] pos = random.doubles(500_000).map(v -> v + 0.5).toArray();
        long start = System.nanoTime();
        double auc = Auroc.auroc(neg, pos);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
        // Uniform(0,1) vs Uniform(0.5,1.5): P(pos > neg) = 1 - 0.5 * 0.5 * 0.5 = 0.875.
        assertThat(auc).isCloseTo(0.875, within(0.002));
    }

    @Test
    void rejectsEmptyAndNaN() {
        assertThatThrownBy(() -> Auroc.auroc(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AUROC needs at least one negative and one positive, got 0 and 1");
        assertThatThrownBy(() -> Auroc.auroc(new double[] {1}, new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("positives contain NaN");
    }

    @Test
    void confusionAtAThreshold() {
        double[] neg = {0.1, 0.2, 0.3, 0.9};
        double[] pos = {0.25, 0.5, 0.95};
        Auroc.Confusion c = Auroc.at(0.3, neg, pos);
        // Flagged means strictly above: the negative at exactly 0.3 is not flagged.
        assertThat(c).isEqualTo(new Auroc.Confusion(2, 1, 3, 1));
        assertThat(c.precision()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.recall()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.falsePositiveRate()).isEqualTo(0.25);
        assertThat(c.f1()).isCloseTo(2.0 / 3, within(1e-15));
    }

    @Test
    void undefinedRatiosAreNaN() {
        Auroc.Confusion none = Auroc.at(10, new double[] {1, 2}, new double[] {3});
        assertThat(none).isEqualTo(new Auroc.Confusion(0, 0, 2, 1));
        assertThat(none.precision()).isNaN();
        assertThat(none.recall()).isZero();
        assertThat(Auroc.at(0, new double[] {1}, new double[0]).recall()).isNaN();
    }

    private static double pairCounting(double[] neg, double[] pos) {
        double wins = 0;
        for (double p : pos) {
            for (double n : neg) {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        return wins / ((double) neg.length * pos.length);
    }

    /** The textbook Mann-Whitney form: average ranks over the pooled sample. */
    private static double rankSum(double[] neg, double[] pos) {
        int n = neg.length + pos.length;
        double[][] pooled = new double[n][];
        for (int i = 0; i < neg.length; i++) {
            pooled[i] = new double[] {neg[i], 0};
        }
        for (int i = 0; i < pos.length; i++) {
            pooled[neg.length + i] = new double[] {pos[i], 1};
        }
        Arrays.sort(pooled, (a, b) -> Double.compare(a[0], b[0]));
        double positiveRanks = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && pooled[j][0] == pooled[i][0]) {
                j++;
            }
            double averageRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                positiveRanks += pooled[k][1] * averageRank;
            }
            i = j;
        }
        double u = positiveRanks - pos.length * (pos.length + 1) / 2.0;
        return u / ((double) neg.length * pos.length);
    }
}
