package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.Datasets;
import dev.streamae.image.Idx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialEvaluationTest {

    /**
     * A fake model of 2x2 images: reconstructs every image as {@link #reconstruction}, the same for
     * all, and records the rows it learns, in order.
     */
    private abstract static class FakeModel implements Autoencoder {
        final List<float[]> learnt = new ArrayList<>();
        final List<Integer> scoredBeforeLearning = new ArrayList<>();
        /** Rows handed to each step, learnt or not. */
        final List<Integer> batchRows = new ArrayList<>();
        private long steps;

        @Override
        public TrainStep trainSkipping(float[][] batch, double[] skipAbove) {
            batchRows.add(batch.length);
            return Autoencoder.super.trainSkipping(batch, skipAbove);
        }

        abstract float[] reconstruction();

        abstract void learn(float[] row);

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
            for (float[] row : batch) {
                learnt.add(row);
                learn(row);
            }
            steps++;
            return new TrainStep(0, errors);
        }

        @Override
        public Scores score(float[][] batch) {
            float[][] recon = new float[batch.length][];
            double[] errors = new double[batch.length];
            for (int i = 0; i < batch.length; i++) {
                recon[i] = reconstruction();
                errors[i] = ErrorMetric.MSE.of(batch[i], recon[i]);
            }
            return new Scores(new float[batch.length][3], recon, errors);
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

    /** Reconstructs every image as black, so an image's error is a function of its own brightness. */
    private static final class BlackModel extends FakeModel {
        @Override
        float[] reconstruction() {
            return new float[4];
        }

        @Override
        void learn(float[] row) {
        }
    }

    /**
     * Reconstructs every image as the running average of the images it learnt (each learnt row
     * moves it 5% of the way): it learns whatever normal it is shown, so a drift shows as errors
     * that rise at the change and fall as it learns the new normal.
     */
    private static final class MeanModel extends FakeModel {
        private final float[] mean = new float[4];

        @Override
        float[] reconstruction() {
            return mean.clone();
        }

        @Override
        void learn(float[] row) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += 0.05f * (row[i] - mean[i]);
            }
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

    /**
     * Batch 16, target 1%, window 2,000, a calibration every 100 batches, warm-up 200, skipping: as
     * in the trainer, a calibration is fitted less often than the detector needs to suspect a
     * change (see {@link AlertCalibrator}).
     */
    private static final PrequentialEvaluation.Settings SMALL = new PrequentialEvaluation.Settings(16, 0.01, 2_000, 100,
            200, true);
    /** Right after the calibration of batch 199. */
    private static final int CHANGE = 3_200;

    /** Dim images (pixels 0.1-0.3), then brighter ones (0.55-0.75) from {@link #CHANGE} on; 2% near-white anomalies. */
    private static PrequentialStream drifting(long seed) {
        Datasets.Labelled dim = images("dim", 97, i -> 25 + (i * 37) % 52);
        Datasets.Labelled bright = images("bright", 89, i -> 140 + (i * 29) % 52);
        Datasets.Labelled white = images("white", 5, i -> 250);
        return PrequentialStream.of(List.of(new PrequentialStream.Segment(dim, white, CHANGE),
                new PrequentialStream.Segment(bright, white, 3_000)), 0.02, seed);
    }

    @Test
    void adaptConfirmsTheChangeAtItsPositionAndTheFalseAlarmsOnTheNewNormalComeBackDown() {
        List<DriftScenario.Block> pooled = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            PrequentialStream stream = drifting(seed);
            PrequentialEvaluation.Result result = PrequentialEvaluation.run(new MeanModel(), stream, SMALL,
                    (done, total) -> { });

            assertThat(result.first(DriftEvent.Type.DRIFT_SUSPECTED, 0).position()).as("seed %d", seed)
                    .isBetween(CHANGE + 350, CHANGE + 700);
            PrequentialEvaluation.PlacedEvent confirmed = result.first(DriftEvent.Type.DRIFT_CONFIRMED, 0);
            assertThat(confirmed.position()).isBetween(CHANGE + 950, CHANGE + 1_400);
            assertThat(confirmed.changePosition()).as("placed at the change").isBetween(CHANGE - 20, CHANGE + 50);
            assertThat(result.first(DriftEvent.Type.RECALIBRATED, 0).position()).isEqualTo(confirmed.position());
            assertThat(result.events()).extracting(PrequentialEvaluation.PlacedEvent::position)
                    .as("nothing before the change").allSatisfy(p -> assertThat(p).isGreaterThanOrEqualTo(CHANGE));

            List<DriftScenario.Block> blocks = DriftScenario.blocks(result, stream, CHANGE, 500);
            assertThat(blocks.get(0).falseAlarmRate()).as("the old calibration flags the new normal").isGreaterThan(0.9);
            assertThat(DriftScenario.block(result, stream, 500, CHANGE).falseAlarmRate()).isLessThan(0.02);
            for (int k = 0; k < blocks.size(); k++) {
                if (k < pooled.size()) {
                    pooled.set(k, pooled.get(k).plus(blocks.get(k)));
                } else {
                    pooled.add(blocks.get(k));
                }
            }
        }
        // Confirmed about 1,000 images after the change and re-fitted two batches later: from then on
        // (the 3rd block of 500 holds the lag) the seeds' false alarms pooled stay under twice the target.
        assertThat(pooled).hasSize(6);
        assertThat(DriftScenario.staysBelowFrom(pooled, 2 * 0.01)).isBetween(2, 3);
    }

    @Test
    void holdStopsLearningSoonAfterTheChangeAndKeepsAlertingOnTheChangedStream() {
        for (long seed = 1; seed <= 3; seed++) {
            PrequentialStream stream = drifting(seed);
            MeanModel model = new MeanModel();
            PrequentialEvaluation.Result result = PrequentialEvaluation.run(model, stream,
                    SMALL.withDriftPolicy(DriftPolicy.HOLD), (done, total) -> { });

            PrequentialEvaluation.PlacedEvent held = result.first(DriftEvent.Type.LEARNING_HELD, 0);
            assertThat(held.position()).as("seed %d", seed).isBetween(CHANGE + 350, CHANGE + 700);
            assertThat(result.first(DriftEvent.Type.DRIFT_CONFIRMED, 0)).isNotNull();
            assertThat(result.first(DriftEvent.Type.RECALIBRATED, 0)).isNull();
            assertThat(result.first(DriftEvent.Type.LEARNING_RESUMED, 0)).as("the stream never comes back").isNull();
            DriftScenario.Block after = DriftScenario.block(result, stream, held.position() + 1, stream.size());
            assertThat(after.alertRate()).as("alerts go on").isGreaterThan(0.95);
            assertThat(model.learnt.stream().filter(row -> row[0] > 0.5f && row[0] < 0.9f).count())
                    .as("no bright image learnt (they are all flagged before the hold)").isZero();
        }
    }

    @Test
    void anOperatorsVerdictsEnterLaterBatchesLearntWhenNormalAndNeverWhenAnomalous() {
        BlackModel model = new BlackModel();
        PrequentialStream stream = stream(2_000, 0.05);
        PrequentialEvaluation.Settings settings = new PrequentialEvaluation.Settings(16, 0.05, 400, 2, 100, true);
        PrequentialEvaluation.Result without = PrequentialEvaluation.run(new BlackModel(), stream, settings,
                (done, total) -> { });
        PrequentialEvaluation.Result result = PrequentialEvaluation.run(model, stream, settings,
                new PrequentialEvaluation.Operator(1, 3, 5), (done, total) -> { });

        long alerts = result.caught() + result.falseAlarms();
        assertThat(result.falseAlarms()).as("a target of 5% flags some dim images").isPositive();
        // Each batch carries, after its 16 stream images, the verdicts on the alerts of the batch three before.
        for (int b = 0; b < model.batchRows.size(); b++) {
            int from = (b - 3) * 16;
            long answered = from < 0 ? 0 : java.util.stream.IntStream.range(from, from + 16)
                    .filter(p -> result.outcomes()[p] == PrequentialEvaluation.Outcome.FLAGGED).count();
            assertThat(model.batchRows.get(b)).as("batch %d", b).isEqualTo(16 + (int) answered);
        }
        long lastBatches = java.util.stream.IntStream.range(2_000 - 3 * 16, 2_000)
                .filter(p -> result.outcomes()[p] == PrequentialEvaluation.Outcome.FLAGGED).count();
        assertThat(result.verdictsNormal() + result.verdictsAnomaly()).as("every alert answered, but the last three batches'")
                .isEqualTo(alerts - lastBatches);
        assertThat(result.verdictsAnomaly()).isBetween(result.caught() - lastBatches, result.caught());
        // The black model learns every row it is given: the stream's unflagged ones, and each confirmed false alarm again.
        assertThat(model.learnt).hasSize((int) (2_000 - result.skipped() + result.verdictsNormal()));
        assertThat(model.learnt.stream().filter(row -> row[0] > 0.5f).count())
                .as("a confirmed anomaly is never learnt").isEqualTo(stream.anomalyCount() - result.caught());
        assertThat(without.verdictsNormal() + without.verdictsAnomaly()).isZero();

        PrequentialEvaluation.Result some = PrequentialEvaluation.run(new BlackModel(), stream, settings,
                new PrequentialEvaluation.Operator(0.2, 3, 5), (done, total) -> { });
        double share = (double) (some.verdictsNormal() + some.verdictsAnomaly()) / (some.caught() + some.falseAlarms());
        assertThat(share).as("a fifth of the alerts").isBetween(0.1, 0.3);
    }
}
