package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.Datasets;
import dev.streamae.image.Idx;
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
            scoredBeforeLearning.add(learnt.size());
            double[] errors = score(batch).errors();
            learnt.addAll(List.of(batch));
            steps++;
            return new TrainStep(0, errors);
        }

        @Override
        public Scores score(float[][] batch) {
            float[][] black = new float[batch.length][4];
            double[] errors = new double[batch.length];
            for (int i = 0; i < batch.length; i++) {
                errors[i] = ErrorMetric.MSE.of(batch[i], black[i]);
            }
            return new Scores(new float[batch.length][3], black, errors);
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

    /** 2x2 images as 8-bit bytes: {@code count} images of {@code brightness(i)}. */
    private static Datasets.Labelled images(String name, int count, java.util.function.IntUnaryOperator brightness) {
        byte[] data = new byte[count * 4];
        for (int i = 0; i < count; i++) {
            Arrays.fill(data, i * 4, i * 4 + 4, (byte) brightness.applyAsInt(i));
        }
        return new Datasets.Labelled(name, new Idx.Images(count, 2, 2, data), new int[count]);
    }

    /** Dim digits (brightness 25 to 76 of 255, so MSE against black 0.01 to 0.09) and bright anomalies (230). */
    private static PrequentialStream stream(int length, double rate) {
        return PrequentialStream.cycle(images("dim", 97, i -> 25 + (i * 37) % 52), images("bright", 5, i -> 230),
                rate, length, 3);
    }

    @Test
    void scoresEachBatchBeforeLearningItAndLearnsEveryImageInOrderWithoutSkipping() {
        BlackModel model = new BlackModel();
        PrequentialStream stream = stream(200, 0.05);
        List<Integer> progress = new ArrayList<>();
        PrequentialEvaluation.run(model, stream, new PrequentialEvaluation.Settings(64, 0.01, 200, 1, 100, false),
                (done, total) -> progress.add(done));

        assertThat(model.learnt).containsExactly(stream.rows(0, 200));
        assertThat(model.scoredBeforeLearning).containsExactly(0, 64, 128, 192);
        assertThat(progress).containsExactly(64, 128, 192, 200);
    }

    @Test
    void flagsTheBrightImagesOnceCalibratedAndDoesNotLearnThem() {
        BlackModel model = new BlackModel();
        PrequentialStream stream = stream(2_000, 0.05);
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(model, stream,
                new PrequentialEvaluation.Settings(16, 0.01, 400, 2, 100, true), (done, total) -> { });

        // Calibrated after 200 errors, effective two batches on: about 1,750 images judged.
        assertThat(result.normalJudged() + result.anomaliesJudged()).isBetween(1_600L, 1_800L);
        assertThat(result.anomaliesJudged()).isBetween(50L, 130L);
        assertThat(result.caught()).as("every bright image is far above the dim ones").isEqualTo(result.anomaliesJudged());
        assertThat(result.falseAlarmRate()).as("target 1%").isLessThan(0.03);
        assertThat(result.auroc()).isEqualTo(1.0);
        assertThat(result.oracleF1()).isEqualTo(1.0);
        assertThat(result.skipped()).isEqualTo(result.caught() + result.falseAlarms());
        assertThat(model.learnt).hasSize(2_000 - (int) result.skipped());
        assertThat(model.learnt.stream().filter(row -> row[0] > 0.5f).count())
                .as("bright images are learnt only before the first calibration")
                .isEqualTo(stream.anomalyCount() - result.caught());
        assertThat(result.contamination()).isBetween(0.02, 0.08);
    }

    @Test
    void nothingIsJudgedWhenTheWarmUpCoversTheStream() {
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(new BlackModel(), stream(400, 0.05),
                new PrequentialEvaluation.Settings(64, 0.01, 200, 1, 1_000, true), (done, total) -> { });

        assertThat(result.normalJudged() + result.anomaliesJudged()).isZero();
        assertThat(result.auroc()).isNaN();
        assertThat(result.oracleF1()).isNaN();
        assertThat(result.falseAlarmRate()).isNaN();
        assertThat(result.skipped()).isZero();
    }
}
