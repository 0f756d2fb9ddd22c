package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OfflineTrainerTest {

    /** Remembers the first pixel of every row it trains on; reconstructs everything as 0.5. */
    private static final class Recorder implements Autoencoder {
        final List<List<Float>> batches = new ArrayList<>();
        private final ErrorMetric metric;
        private long steps;

        Recorder(ErrorMetric metric) {
            this.metric = metric;
        }

        @Override
        public Architecture architecture() {
            return new Architecture(new int[] {2, 1});
        }

        @Override
        public ErrorMetric metric() {
            return metric;
        }

        @Override
        public TrainStep train(float[][] batch) {
            List<Float> ids = new ArrayList<>();
            for (float[] row : batch) {
                ids.add(row[0]);
            }
            batches.add(ids);
            steps++;
            return new TrainStep(0.1 * batches.size(), new double[batch.length]);
        }

        @Override
        public Scores score(float[][] batch) {
            float[][] recon = new float[batch.length][];
            double[] errors = new double[batch.length];
            for (int i = 0; i < batch.length; i++) {
                recon[i] = new float[] {0.5f, 0.5f};
                errors[i] = metric.of(batch[i], recon[i]);
            }
            return new Scores(new float[batch.length][1], recon, errors);
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

    private static float[][] rows(int n) {
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new float[] {i / 1000f, 0f};
        }
        return rows;
    }

    @Test
    void visitsEveryRowOncePerEpochInASeededOrder() {
        Recorder a = new Recorder(ErrorMetric.MSE);
        List<int[]> progress = new ArrayList<>();
        List<OfflineTrainer.EpochResult> epochs = new ArrayList<>();
        OfflineTrainer.Result result = new OfflineTrainer(a, 64, 42).train(rows(150), rows(3), 2, new OfflineTrainer.Listener() {
            @Override
            public void batchDone(int epoch, int batch, int batchesPerEpoch, double loss) {
                progress.add(new int[] {epoch, batch, batchesPerEpoch});
            }

            @Override
            public void epochDone(OfflineTrainer.EpochResult e) {
                epochs.add(e);
            }
        });
        // 150 rows at 64: batches of 64, 64 and 22, twice.
        assertThat(a.batches).extracting(List::size).containsExactly(64, 64, 22, 64, 64, 22);
        assertThat(progress).hasSize(6);
        assertThat(progress.get(0)).containsExactly(1, 0, 3);
        assertThat(progress.get(5)).containsExactly(2, 2, 3);
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<Float> seen = new HashSet<>();
            a.batches.subList(3 * epoch, 3 * epoch + 3).forEach(seen::addAll);
            assertThat(seen).hasSize(150);
        }
        // Shuffled, and differently in each epoch.
        assertThat(a.batches.get(0)).isNotEqualTo(a.batches.get(0).stream().sorted().toList());
        assertThat(a.batches.get(0)).isNotEqualTo(a.batches.get(3));

        assertThat(epochs).isEqualTo(result.epochs());
        assertThat(result.epochs()).extracting(OfflineTrainer.EpochResult::epoch).containsExactly(1, 2);
        assertThat(result.last().meanTrainLoss()).isCloseTo((0.4 + 0.5 + 0.6) / 3, within(1e-12));
        assertThat(result.trainImagesPerSecond()).isPositive();

        Recorder b = new Recorder(ErrorMetric.MSE);
        new OfflineTrainer(b, 64, 42).train(rows(150), rows(3), 2, new OfflineTrainer.Listener() { });
        assertThat(b.batches).isEqualTo(a.batches);
        Recorder c = new Recorder(ErrorMetric.MSE);
        new OfflineTrainer(c, 64, 43).train(rows(150), rows(3), 2, new OfflineTrainer.Listener() { });
        assertThat(c.batches).isNotEqualTo(a.batches);
    }

    @Test
    void heldOutErrorIsMseWhateverTheModelsMetric() {
        Recorder model = new Recorder(ErrorMetric.MAE);
        float[][] heldOut = {{0f, 1f}, {0.5f, 0.5f}};
        OfflineTrainer.Result result = new OfflineTrainer(model, 8, 1).train(rows(10), heldOut, 1, new OfflineTrainer.Listener() { });
        assertThat(result.last().heldOutMse()).isCloseTo((0.25 + 0) / 2, within(1e-9));
        assertThat(new OfflineTrainer(model, 8, 1).train(rows(10), new float[0][], 1, new OfflineTrainer.Listener() { })
                .last().heldOutMse()).isNaN();
    }

    @Test
    void rejectsNonsenseSettings() {
        Recorder model = new Recorder(ErrorMetric.MSE);
        assertThatThrownBy(() -> new OfflineTrainer(model, 0, 1)).hasMessageContaining("batch size");
        OfflineTrainer trainer = new OfflineTrainer(model, 4, 1);
        OfflineTrainer.Listener quiet = new OfflineTrainer.Listener() { };
        assertThatThrownBy(() -> trainer.train(new float[0][], rows(1), 1, quiet)).hasMessageContaining("no training rows");
        assertThatThrownBy(() -> trainer.train(rows(4), rows(1), 0, quiet)).hasMessageContaining("epochs");
        assertThat(model.batches).isEmpty();
    }
}
