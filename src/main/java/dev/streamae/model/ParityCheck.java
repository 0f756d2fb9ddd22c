package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed tutorial's experiment on the model (on the engine the service runs, see {@link Autoencoders}), reporting the same numbers as
 * {@code shared/bench/torch_reference.py} so the two can be compared run for run: 10 epochs on the
 * 8,000 training digits (batch 64), then held-out MSE on the 2,000 held-out digits, AUROC of each
 * error metric for held-out digits against as many Fashion-MNIST images, and throughputs.
 *
 * <p>Run with {@code OMP_NUM_THREADS=1} (ND4J is twice as fast with it here):
 * {@code java -cp target/classes:$(cat cp.txt) dev.streamae.model.ParityCheck --seed 1 [--epochs 10]}.
 * The summary line is logged in the reference script's {@code key=value} format.
 */
public final class ParityCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ParityCheck.class);
    private static final int INFERENCE_PASSES = 5;

    private ParityCheck() {
    }

    /**
     * The outcome of one run.
     *
     * @param heldOutMse mean per-image MSE on the held-out digits after the last epoch
     * @param auroc AUROC (held-out digits normal, Fashion-MNIST anomalous) per error metric
     */
    public record Result(long seed, int epochs, double trainImagesPerSecond, double heldOutMse,
            Map<ErrorMetric, Double> auroc, double inferenceImagesPerSecond) {

        /** The reference script's summary format. */
        public String summary() {
            return String.format(java.util.Locale.ROOT,
                    "seed=%d train_img_per_s=%.0f heldout_mse=%.5f auroc_mse=%.4f auroc_mae=%.4f auroc_bce=%.4f infer_img_per_s=%.0f",
                    seed, trainImagesPerSecond, heldOutMse, auroc.get(ErrorMetric.MSE), auroc.get(ErrorMetric.MAE),
                    auroc.get(ErrorMetric.BCE), inferenceImagesPerSecond);
        }
    }

    public static void main(String[] args) {
        long seed = 1;
        int epochs = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--epochs" -> epochs = Integer.parseInt(value(args, ++i));
                default -> throw new IllegalArgumentException("usage: ParityCheck [--seed N] [--epochs N], got " + args[i]);
            }
        }
        LOG.info("{}", run(seed, epochs).summary());
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Trains the seed network with {@code seed} (also the shuffle seed) and measures it. */
    public static Result run(long seed, int epochs) {
        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        float[][] heldOut = split.heldOut().pixelRows();
        float[][] fashion = split.anomalies().pixelRows();

        Autoencoder model = Autoencoders.create(Architecture.SEED, ErrorMetric.MSE, Dl4jAutoencoder.SEED_LEARNING_RATE, seed);
        OfflineTrainer.Result result = new OfflineTrainer(model, OfflineTrainer.DEFAULT_BATCH_SIZE, seed)
                .train(train, heldOut, epochs, new OfflineTrainer.Listener() {
                    @Override
                    public void epochDone(OfflineTrainer.EpochResult e) {
                        LOG.info("seed {} epoch {}: {} img/s, train loss {}, heldout_mse={}", seed, e.epoch(),
                                Math.round(e.imagesPerSecond()), String.format("%.5f", e.meanTrainLoss()),
                                String.format("%.5f", e.heldOutMse()));
                    }
                });
        Map<ErrorMetric, Double> auroc = Evaluation.aurocByMetric(model, heldOut, fashion);

        float[][] all = Datasets.mnist().pixelRows();
        long start = System.nanoTime();
        for (int pass = 0; pass < INFERENCE_PASSES; pass++) {
            Evaluation.scoreAll(model, all);
        }
        double inference = (double) INFERENCE_PASSES * all.length / ((System.nanoTime() - start) / 1e9);
        return new Result(seed, epochs, result.trainImagesPerSecond(), result.last().heldOutMse(), auroc, inference);
    }
}
