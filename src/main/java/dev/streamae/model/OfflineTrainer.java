package dev.streamae.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The seed's epoch loop, for the offline {@code train} command and the parity check: each epoch
 * visits the training rows in a fresh order from a seeded RNG (like {@code torch.randperm}), in
 * mini-batches (64 by default, the last one possibly smaller), then measures the held-out MSE.
 *
 * <p>Progress goes to a {@link Listener} rather than to a console, so that the CLI can draw a
 * progress bar and tests can stay quiet. The held-out MSE is always MSE, whatever error metric the
 * model reports, because it is the number the seed (and {@code torch_reference.py}) prints.
 */
public final class OfflineTrainer {

    public static final int DEFAULT_BATCH_SIZE = 64;

    /** Callbacks; all do nothing by default. Epochs are numbered from 1, batches from 0. */
    public interface Listener {

        default void epochStarted(int epoch) {
        }

        default void batchDone(int epoch, int batch, int batchesPerEpoch, double loss) {
        }

        default void epochDone(EpochResult result) {
        }
    }

    /**
     * One epoch's outcome.
     *
     * @param epoch the epoch, from 1
     * @param meanTrainLoss mean of the epoch's batch losses (each measured before its step)
     * @param heldOutMse mean per-image MSE on the held-out rows after the epoch (NaN without any)
     * @param imagesPerSecond training throughput, excluding the held-out evaluation
     */
    public record EpochResult(int epoch, double meanTrainLoss, double heldOutMse, double imagesPerSecond) {
    }

    /** All epochs, plus the overall training throughput (total images over total training time). */
    public record Result(List<EpochResult> epochs, double trainImagesPerSecond) {

        public EpochResult last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    private final Autoencoder model;
    private final int batchSize;
    private final SplittableRandom random;

    /**
     * @param model the model to train (its own seed fixes its initial parameters)
     * @param batchSize rows per step
     * @param shuffleSeed seeds the per-epoch order of the rows
     */
    public OfflineTrainer(Autoencoder model, int batchSize, long shuffleSeed) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.random = new SplittableRandom(shuffleSeed);
    }

    /**
     * Trains {@code epochs} epochs on {@code train}, evaluating on {@code heldOut} after each.
     *
     * @param heldOut rows to evaluate on; may be empty (the held-out MSE is then NaN)
     */
    public Result train(float[][] train, float[][] heldOut, int epochs, Listener listener) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(heldOut, "heldOut");
        Objects.requireNonNull(listener, "listener");
        if (train.length == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        int[] order = new int[train.length];
        Arrays.setAll(order, i -> i);
        int batches = (train.length + batchSize - 1) / batchSize;
        List<EpochResult> results = new ArrayList<>(epochs);
        long trainingNanos = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            shuffle(order, random);
            double lossSum = 0;
            listener.epochStarted(epoch);
            long start = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize;
                float[][] batch = new float[Math.min(batchSize, train.length - from)][];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = train[order[from + i]];
                }
                double loss = model.train(batch).loss();
                lossSum += loss;
                listener.batchDone(epoch, b, batches, loss);
            }
            long nanos = System.nanoTime() - start;
            trainingNanos += nanos;
            EpochResult result = new EpochResult(epoch, lossSum / batches,
                    heldOut.length == 0 ? Double.NaN : Evaluation.meanMse(model, heldOut),
                    train.length / (nanos / 1e9));
            results.add(result);
            listener.epochDone(result);
        }
        return new Result(List.copyOf(results), (double) epochs * train.length / (trainingNanos / 1e9));
    }

    /**
     * The snapshot of a model trained offline: version 1, with its optimiser state, warmed up,
     * calibrated on the held-out errors under the model's own metric (which are all normal, so the
     * calibration's threshold at {@code falseAlarmRate} is close to their {@code 1 - rate} quantile).
     *
     * @param examplesSeen training examples folded into the model (epochs times training rows)
     */
    public static Snapshot snapshot(Autoencoder model, String name, float[][] heldOut, double falseAlarmRate,
                                    long examplesSeen, Instant createdAt) {
        double[] errors = Evaluation.errors(model.metric(), heldOut, Evaluation.scoreAll(model, heldOut).reconstructions());
        Calibration calibration = CalibrationFit.fit(errors, falseAlarmRate);
        return Snapshot.of(name, 1, model.state(true), model.metric(), examplesSeen, 0, calibration, createdAt);
    }

    /**
     * Fisher-Yates, so that the order depends only on the seed (Collections.shuffle needs a Random).
     * Shared with {@link PrequentialStream}.
     */
    public static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
