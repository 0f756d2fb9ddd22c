package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The one-class protocol of the anomaly-detection literature (as in Ruff et al., "Deep One-Class
 * Classification", ICML 2018): for each digit, a fresh model learns only that digit's training
 * images; on the held-out digits, that digit is normal and every other digit an anomaly, and the
 * AUROC of the reconstruction error measures how well the model tells them apart. The mean over
 * the ten digits is the figure papers compare (Deep SVDD reports 0.948 on MNIST).
 *
 * <p>Differences from the papers, stated because they change the numbers: the shipped MNIST is
 * 10,000 images (8,000 training, about 800 per digit, and 2,000 held out), where the papers train
 * on about 6,000 images per digit and test on 10,000; the network is the seed's 784-128-64-12-3
 * autoencoder trained with Adam on MSE, as the service trains it.
 */
public final class OneClassEvaluation {

    /**
     * @param digit the normal class
     * @param trainImages training images of that digit
     * @param normal held-out images of that digit
     * @param anomalies held-out images of the other digits
     * @param auroc AUROC per error metric
     */
    public record DigitResult(int digit, int trainImages, int normal, int anomalies, Map<ErrorMetric, Double> auroc) {
    }

    /** Called as each digit's model is done. */
    public interface Progress {
        void digitDone(DigitResult result);
    }

    private OneClassEvaluation() {
    }

    /** Runs the protocol for digits 0 to 9 on {@code split}, each model trained {@code epochs} epochs. */
    public static List<DigitResult> run(Datasets.Split split, Architecture architecture, double learningRate,
                                        int batchSize, int epochs, long seed, Progress progress) {
        List<DigitResult> results = new ArrayList<>(10);
        for (int digit = 0; digit <= 9; digit++) {
            int d = digit;
            float[][] train = split.train().filter(i -> split.train().labels()[i] == d, "train-" + d).pixelRows();
            float[][] normal = split.heldOut().filter(i -> split.heldOut().labels()[i] == d, "normal-" + d).pixelRows();
            float[][] anomalies = split.heldOut().filter(i -> split.heldOut().labels()[i] != d, "other-" + d).pixelRows();
            Autoencoder model = Autoencoders.create(architecture, ErrorMetric.MSE, learningRate, seed);
            new OfflineTrainer(model, batchSize, seed).train(train, new float[0][], epochs, new OfflineTrainer.Listener() { });
            DigitResult result = new DigitResult(digit, train.length, normal.length, anomalies.length,
                    Collections.unmodifiableMap(Evaluation.aurocByMetric(model, normal, anomalies)));
            results.add(result);
            progress.digitDone(result);
        }
        return results;
    }

    /** The mean AUROC over {@code results} under {@code metric}. */
    public static double meanAuroc(List<DigitResult> results, ErrorMetric metric) {
        return results.stream().mapToDouble(r -> r.auroc().get(metric)).average().orElse(Double.NaN);
    }
}
