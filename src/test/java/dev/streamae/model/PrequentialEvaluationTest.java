package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialEvaluationTest {

    /** Reconstructs every image as black, so an image's error is a function of its own brightness. */
    private static final class BlackModel implements Autoencoder {
        final List<float[]> learnt = new ArrayList<>();
        final List<Integer> scoredBeforeLearning = new ArrayList<>();
        private long steps;

        @Override
        public Architecture architecture() {
            return new Architecture(new int[] {4, 3});
        }

        @Override
        public ErrorMetric metric() {
            return ErrorMetric.MSE;
        }

        @Override
        public TrainStep train(float[][] batch) {
            learnt.addAll(List.of(batch));
            steps++;
            return new TrainStep(0, new double[batch.length]);
        }

        @Override
        public Scores score(float[][] batch) {
            scoredBeforeLearning.add(learnt.size());
            float[][] black = new float[batch.length][4];
            return new Scores(new float[batch.length][3], black, new double[batch.length]);
        }

        @Override
        public long steps() {
            return steps;
        }

        @Override
        public ModelState state(boolean withOptimiser) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restore(ModelState state) {
            throw new UnsupportedOperationException();
        }
    }

    /** 200 dim images (brightness 0.1 to 0.3) with a bright one (0.9) every 20th. */
    private static PrequentialStream stream() {
        int n = 200;
        float[][] rows = new float[n][4];
        boolean[] anomalous = new boolean[n];
        for (int i = 0; i < n; i++) {
            anomalous[i] = i % 20 == 19;
            Arrays.fill(rows[i], anomalous[i] ? 0.9f : 0.1f + 0.2f * (i % 7) / 6);
        }
        return new PrequentialStream(rows, new int[n], anomalous);
    }

    @Test
    void scoresEachBatchBeforeLearningItAndLearnsEveryImageOnceInOrder() {
        BlackModel model = new BlackModel();
        PrequentialStream stream = stream();
        List<Integer> progress = new ArrayList<>();
        PrequentialEvaluation.run(model, stream, new PrequentialEvaluation.Settings(64, 50, 0.99, 100),
                (done, total) -> progress.add(done));

        assertThat(model.learnt).containsExactly(stream.rows());
        assertThat(model.scoredBeforeLearning).containsExactly(0, 64, 128, 192);
        assertThat(progress).containsExactly(64, 128, 192, 200);
    }

    @Test
    void evaluatesOnlyAfterWarmUpAndFlagsWhatExceedsTheWindowQuantile() {
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(new BlackModel(), stream(),
                new PrequentialEvaluation.Settings(64, 50, 0.9, 100), (done, total) -> { });

        // Batches start at 0, 64, 128, 192: only those from 128 on come after 100 learnt examples.
        assertThat(result.images()).isEqualTo(200);
        assertThat(result.anomalies()).isEqualTo(10);
        assertThat(result.evaluated()).isEqualTo(72);
        assertThat(result.evaluatedAnomalies()).isEqualTo(4);
        assertThat(result.metrics()).containsOnlyKeys(ErrorMetric.values());
        for (PrequentialEvaluation.MetricResult m : result.metrics().values()) {
            assertThat(m.auroc()).isEqualTo(1.0);
            // Bright images are 5% of every window, above its 0.9 quantile: all flagged, nothing else.
            assertThat(m.alerts()).isEqualTo(new Auroc.Confusion(4, 0, 68, 0));
        }
    }

    @Test
    void noAlertsAndNoAurocWhenWarmUpCoversTheStream() {
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(new BlackModel(), stream(),
                new PrequentialEvaluation.Settings(64, 50, 0.9, 1_000), (done, total) -> { });

        assertThat(result.evaluated()).isZero();
        assertThat(result.metrics().values()).allSatisfy(m -> {
            assertThat(m.auroc()).isNaN();
            assertThat(m.alerts().truePositives() + m.alerts().falsePositives()).isZero();
        });
    }
}
