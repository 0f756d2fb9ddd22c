package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamae.image.Datasets;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Dl4jAutoencoderTest {

    private static final Architecture TINY = Architecture.parse("16-8-3");

    private static float[][] mnistTrain;
    private static float[][] mnistHeldOut;
    private static float[][] fashion;

    @BeforeAll
    static void loadData() {
        mnistTrain = Datasets.mnistTrain().first(2_000).pixelRows();
        mnistHeldOut = Datasets.mnistHeldOut().first(500).pixelRows();
        fashion = Datasets.fashion().first(500).pixelRows();
    }

    private static float[][] batch(float[][] rows, int from, int size) {
        return Arrays.copyOfRange(rows, from, from + size);
    }

    /** {@code rows x cols} values drawn uniformly from [0, 1) with {@code seed}. */
    static float[][] random(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[rows][cols];
        for (float[] row : out) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) r.nextDouble();
            }
        }
        return out;
    }

    @Test
    void seedNetworkHasThe219891ParametersAndPyTorchLikeInitialisation() {
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(1);
        float[] p = model.state(false).parameters();
        assertThat(p).hasSize(219_891);
        // First layer: 784*128 weights then 128 biases, all within 1/sqrt(784) = 1/28.
        float bound = 1f / 28;
        float max = 0;
        for (int i = 0; i < 784 * 128 + 128; i++) {
            assertThat(Math.abs(p[i])).isLessThanOrEqualTo(bound);
            max = Math.max(max, Math.abs(p[i]));
        }
        assertThat(max).isGreaterThan(0.99f * bound);
        // Biases are drawn too (DL4J would leave them at zero).
        float[] firstBiases = Arrays.copyOfRange(p, 784 * 128, 784 * 128 + 128);
        assertThat(firstBiases).satisfiesAnyOf(b -> assertThat(b[0]).isNotZero(), b -> assertThat(b[1]).isNotZero());
        // Code-to-decoder layer (fan-in 3) has the widest bound, 1/sqrt(3).
        int offset = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 12 + 12 + 12 * 3 + 3;
        for (int i = offset; i < offset + 3 * 12 + 12; i++) {
            assertThat(Math.abs(p[i])).isLessThanOrEqualTo((float) (1 / Math.sqrt(3)));
        }
    }

    @Test
    void trainingOnAFewHundredDigitsLowersTheLossClearly() {
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(11);
        float[][] rows = batch(mnistTrain, 0, 320);
        double before = Evaluation.meanMse(model, rows);
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        for (int epoch = 0; epoch < 8; epoch++) {
            for (int from = 0; from < rows.length; from += 64) {
                double loss = model.train(batch(rows, from, 64)).loss();
                firstLoss = Double.isNaN(firstLoss) ? loss : firstLoss;
                lastLoss = loss;
            }
        }
        double after = Evaluation.meanMse(model, rows);
        assertThat(model.steps()).isEqualTo(40);
        assertThat(after).isLessThan(0.5 * before);
        assertThat(lastLoss).isLessThan(0.5 * firstLoss);
    }

    @Test
    void afterBriefTrainingHeldOutDigitsReconstructBetterThanFashion() {
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(5);
        new OfflineTrainer(model, 64, 5).train(mnistTrain, new float[0][], 2, new OfflineTrainer.Listener() { });
        double digits = Arrays.stream(model.score(mnistHeldOut).errors()).average().orElseThrow();
        double clothes = Arrays.stream(model.score(fashion).errors()).average().orElseThrow();
        assertThat(digits).isLessThan(clothes);
        assertThat(Auroc.auroc(model.score(mnistHeldOut).errors(), model.score(fashion).errors())).isGreaterThan(0.7);
    }

    @ParameterizedTest
    @EnumSource(ErrorMetric.class)
    void errorsBeforeTheStepAreTheScoresBeforeTheStep(ErrorMetric metric) {
        Dl4jAutoencoder model = new Dl4jAutoencoder(Architecture.SEED, metric, 0.005, 3);
        model.train(batch(mnistTrain, 0, 64));
        model.train(batch(mnistTrain, 64, 64));
        float[][] rows = batch(mnistTrain, 128, 64);
        Scores before = model.score(rows);
        TrainStep step = model.train(rows);
        assertThat(step.errorsBefore()).hasSize(64);
        for (int i = 0; i < 64; i++) {
            assertThat(step.errorsBefore()[i]).isCloseTo(before.errors()[i], within(1e-5));
        }
        // The loss is torch's MSELoss: the mean over every pixel of the batch.
        double mse = 0;
        for (int i = 0; i < 64; i++) {
            mse += ErrorMetric.MSE.of(rows[i], before.reconstructions()[i]) / 64;
        }
        assertThat(step.loss()).isCloseTo(mse, within(1e-6));
        // And the step did change the model.
        assertThat(model.score(rows).errors()[0]).isNotEqualTo(before.errors()[0]);
    }

    @Test
    void trainReconstructingReportsTheReconstructionsBeforeTheStepWithoutAnExtraPass() {
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(3);
        model.train(batch(mnistTrain, 0, 64));
        float[][] rows = batch(mnistTrain, 64, 64);
        Scores before = model.score(rows);
        TrainStep step = model.trainReconstructing(rows);
        assertThat(model.steps()).isEqualTo(2);
        assertThat(step.reconstructionsBefore()).hasNumberOfRows(64);
        for (int i = 0; i < 64; i++) {
            assertThat(step.reconstructionsBefore()[i]).containsExactly(before.reconstructions()[i], within(1e-5f));
        }
    }

    @Test
    void scoreGivesCodesReconstructionsAndErrorsPerRow() {
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(2);
        Scores s = model.score(batch(mnistTrain, 0, 10));
        assertThat(s.size()).isEqualTo(10);
        assertThat(s.codes()).hasNumberOfRows(10);
        for (int i = 0; i < 10; i++) {
            assertThat(s.codes()[i]).hasSize(3);
            assertThat(s.reconstructions()[i]).hasSize(784);
            for (float v : s.reconstructions()[i]) {
                assertThat(v).isBetween(0f, 1f);
            }
            assertThat(s.errors()[i]).isPositive();
        }
        // Rows are independent: scoring one row alone gives the same code.
        Scores single = model.score(batch(mnistTrain, 3, 1));
        assertThat(single.codes()[0][1]).isCloseTo(s.codes()[3][1], within(1e-5f));
    }

    /**
     * Guards the conversions in and out of ND4J and documents the flat parameter layout: per layer,
     * weights column-major ({@code (i, j)} at {@code i + j * nIn}), then biases.
     */
    @Test
    void scoresAgreeWithAPlainJavaForwardPassOverTheFlatParameters() {
        Dl4jAutoencoder model = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 5);
        float[][] rows = random(6, 16, 2);
        model.train(rows);
        float[] p = model.state(false).parameters();
        int[] sizes = TINY.allSizes();
        Scores scores = model.score(rows);
        for (int r = 0; r < rows.length; r++) {
            double[] a = new double[16];
            for (int i = 0; i < 16; i++) {
                a[i] = rows[r][i];
            }
            int offset = 0;
            for (int layer = 0; layer + 1 < sizes.length; layer++) {
                int nIn = sizes[layer];
                int nOut = sizes[layer + 1];
                double[] z = new double[nOut];
                for (int j = 0; j < nOut; j++) {
                    double sum = p[offset + nIn * nOut + j];
                    for (int i = 0; i < nIn; i++) {
                        sum += a[i] * p[offset + i + j * nIn];
                    }
                    z[j] = layer == Dl4jAutoencoder.codeLayerIndex(TINY) ? sum
                            : layer == sizes.length - 2 ? 1 / (1 + Math.exp(-sum)) : Math.tanh(sum);
                }
                offset += nIn * nOut + nOut;
                a = z;
                if (layer == Dl4jAutoencoder.codeLayerIndex(TINY)) {
                    for (int j = 0; j < nOut; j++) {
                        assertThat((double) scores.codes()[r][j]).isCloseTo(z[j], within(1e-5));
                    }
                }
            }
            for (int i = 0; i < 16; i++) {
                assertThat((double) scores.reconstructions()[r][i]).isCloseTo(a[i], within(1e-5));
            }
        }
    }

    static Stream<Arguments> badBatches() {
        float[] ok = new float[16];
        return Stream.of(
                Arguments.of("null batch", null, "batch is null"),
                Arguments.of("empty batch", new float[0][], "batch is empty"),
                Arguments.of("null row", new float[][] {ok, null}, "row 1 is null"),
                Arguments.of("short row", new float[][] {ok, ok, new float[15]}, "row 2 has 15 values, expected 16"),
                Arguments.of("long row", new float[][] {new float[784]}, "row 0 has 784 values, expected 16"),
                Arguments.of("NaN", withValue(Float.NaN), "NaN at row 1, index 5"),
                Arguments.of("Infinity", withValue(Float.POSITIVE_INFINITY), "Infinity at row 1, index 5"),
                Arguments.of("negative", withValue(-0.01f), "out of range at row 1, index 5"),
                Arguments.of("above one", withValue(1.5f), "value 1.5 out of range at row 1, index 5"));
    }

    private static float[][] withValue(float v) {
        float[][] rows = new float[2][16];
        rows[1][5] = v;
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBatches")
    void badInputFailsClearlyAndLeavesTheModelAlone(String name, float[][] batch, String message) {
        Dl4jAutoencoder model = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 1);
        float[] params = model.state(false).parameters();
        assertThatThrownBy(() -> model.train(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> model.score(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThat(model.steps()).isZero();
        assertThat(model.state(false).parameters()).isEqualTo(params);
    }

    @Test
    void sameSeedAndBatchesGiveTheSameParameters() {
        Dl4jAutoencoder a = Dl4jAutoencoder.seed(7);
        Dl4jAutoencoder b = Dl4jAutoencoder.seed(7);
        Dl4jAutoencoder other = Dl4jAutoencoder.seed(8);
        assertThat(a.state(false).parameters()).isEqualTo(b.state(false).parameters())
                .isNotEqualTo(other.state(false).parameters());
        for (int i = 0; i < 3; i++) {
            a.train(batch(mnistTrain, 64 * i, 64));
            b.train(batch(mnistTrain, 64 * i, 64));
        }
        assertThat(a.state(true).parameters()).isEqualTo(b.state(true).parameters());
        assertThat(a.state(true).optimiserState()).isEqualTo(b.state(true).optimiserState());
    }

    @Test
    void stateRoundTripsExactlyAndTrainingContinuesIdentically() {
        Dl4jAutoencoder original = Dl4jAutoencoder.seed(21);
        for (int i = 0; i < 4; i++) {
            original.train(batch(mnistTrain, 64 * i, 64));
        }
        ModelState saved = original.state(true);
        assertThat(saved.steps()).isEqualTo(4);
        assertThat(saved.optimiserState()).hasSize(2 * 219_891);

        Dl4jAutoencoder restored = Dl4jAutoencoder.seed(99);
        restored.restore(saved);
        ModelState copy = restored.state(true);
        assertThat(copy.parameters()).isEqualTo(saved.parameters());
        assertThat(copy.optimiserState()).isEqualTo(saved.optimiserState());
        assertThat(restored.steps()).isEqualTo(4);

        // Adam's bias correction depends on the step count: one more identical step must agree exactly.
        float[][] next = batch(mnistTrain, 1_000, 64);
        TrainStep a = original.train(next);
        TrainStep b = restored.train(next);
        assertThat(b.errorsBefore()).isEqualTo(a.errorsBefore());
        assertThat(restored.state(true).parameters()).isEqualTo(original.state(true).parameters());
        assertThat(restored.steps()).isEqualTo(5);
    }

    @Test
    void aSignedSnapshotCarriesTheModelAcrossTheCodec() {
        Dl4jAutoencoder original = Dl4jAutoencoder.seed(4);
        original.train(batch(mnistTrain, 0, 64));
        SnapshotCodec codec = SnapshotCodec.signed("a key of sixteen bytes or more".getBytes());
        byte[] bytes = codec.encode(Snapshot.of("digits", 1, original.state(true), ErrorMetric.MSE, 64, 1_000, null,
                Instant.now()));
        Dl4jAutoencoder restored = Dl4jAutoencoder.fromSnapshot(codec.decode(bytes), Dl4jAutoencoder.SEED_LEARNING_RATE);
        assertThat(restored.steps()).isEqualTo(1);
        float[][] next = batch(mnistTrain, 64, 64);
        original.train(next);
        restored.train(next);
        assertThat(restored.state(true).parameters()).isEqualTo(original.state(true).parameters());
    }

    @Test
    void restoringWithoutOptimiserStateRestartsAdamButKeepsCounting() {
        Dl4jAutoencoder trained = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 1);
        float[][] rows = random(8, 16, 1);
        for (int i = 0; i < 3; i++) {
            trained.train(rows);
        }
        Dl4jAutoencoder scorer = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 2);
        scorer.train(rows);
        scorer.restore(trained.state(false));
        assertThat(scorer.steps()).isEqualTo(3);
        assertThat(scorer.state(true).optimiserState()).containsOnly(0f);
        assertThat(scorer.score(rows).errors()).isEqualTo(trained.score(rows).errors());

        // A fresh Adam from the same parameters takes the same first step as a brand-new model would.
        Dl4jAutoencoder fresh = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 3);
        fresh.restore(new ModelState(TINY, trained.state(false).parameters(), null, 0));
        scorer.train(rows);
        fresh.train(rows);
        assertThat(scorer.state(false).parameters()).isEqualTo(fresh.state(false).parameters());
        assertThat(scorer.steps()).isEqualTo(4);
    }

    @Test
    void restoreRejectsStatesThatDoNotFitBeforeChangingAnything() {
        Dl4jAutoencoder model = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 1);
        float[] params = model.state(false).parameters();
        Architecture other = Architecture.parse("16-4-3");
        ModelState wrongShape = new ModelState(other, new float[(int) other.parameterCount()], null, 0);
        assertThatThrownBy(() -> model.restore(wrongShape)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16-4-3").hasMessageContaining("16-8-3");

        ModelState wrongOptimiser = new ModelState(TINY, params.clone(), new float[5], 0);
        assertThatThrownBy(() -> model.restore(wrongOptimiser)).hasMessageContaining("optimiser state has 5 values");

        float[] nan = params.clone();
        nan[7] = Float.NaN;
        assertThatThrownBy(() -> model.restore(new ModelState(TINY, nan, null, 0))).hasMessageContaining("parameter 7");
        assertThatThrownBy(() -> model.restore(new ModelState(TINY, params.clone(), null, -1)))
                .hasMessageContaining("negative");
        assertThat(model.state(false).parameters()).isEqualTo(params);
    }

    /**
     * DL4J's MSE must give PyTorch's {@code nn.MSELoss()} gradient (mean over all elements): its
     * flattened gradient is summed over the batch and divided by the batch size in the updater.
     * Checked against central differences of the loss the model reports.
     */
    @Test
    void gradientScaleIsThatOfTorchMseLoss() {
        Dl4jAutoencoder model = new Dl4jAutoencoder(TINY, ErrorMetric.MSE, 0.005, 17);
        float[][] rows = random(5, 16, 9);
        MultiLayerNetwork net = model.network();
        INDArray x = Nd4j.create(rows);
        net.setInput(x);
        net.setLabels(x);
        net.computeGradientAndScore();
        float[] gradient = net.gradient().gradient().dup().reshape(new long[] {TINY.parameterCount()}).toFloatVector();
        double torchLoss = mse(model, rows);
        assertThat(net.score()).isCloseTo(torchLoss, within(1e-6));

        float[] params = model.state(false).parameters();
        double h = 1e-2;
        int checked = 0;
        for (int p = 0; p < params.length; p++) {
            double effective = gradient[p] / rows.length;
            if (Math.abs(effective) < 2e-3) {
                continue;
            }
            double numeric = (lossWith(model, params, p, h, rows) - lossWith(model, params, p, -h, rows)) / (2 * h);
            assertThat(effective).as("gradient of parameter %d", p).isCloseTo(numeric, within(0.05 * Math.abs(numeric)));
            checked++;
        }
        assertThat(checked).isGreaterThan(10);
    }

    private static double lossWith(Dl4jAutoencoder model, float[] params, int p, double delta, float[][] rows) {
        float[] moved = params.clone();
        moved[p] += (float) delta;
        model.restore(new ModelState(TINY, moved, null, 0));
        return mse(model, rows);
    }

    private static double mse(Autoencoder model, float[][] rows) {
        return Arrays.stream(model.score(rows).errors()).average().orElseThrow();
    }
}
