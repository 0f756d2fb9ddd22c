package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A labelled stream for test-then-train evaluation: normal images in a seeded random order with
 * anomalies injected at random positions, as a stream of user images would mix them.
 *
 * @param rows the images in stream order
 * @param labels each image's label (for an anomaly, its own dataset's class)
 * @param anomalous which images are injected anomalies
 */
public record PrequentialStream(float[][] rows, int[] labels, boolean[] anomalous) {

    public PrequentialStream {
        if (rows.length != labels.length || rows.length != anomalous.length) {
            throw new IllegalArgumentException(rows.length + " rows, " + labels.length + " labels and "
                    + anomalous.length + " anomaly flags");
        }
    }

    /**
     * All of {@code normal} plus enough images of {@code anomalies} to make {@code anomalyRate} of
     * the stream anomalous (see {@link #anomaliesFor}), spread evenly over {@code anomalies}, the
     * whole shuffled with {@code seed}.
     *
     * @throws IllegalArgumentException if the rate is outside [0, 1) or needs more anomalies than given
     */
    public static PrequentialStream inject(Datasets.Labelled normal, Datasets.Labelled anomalies, double anomalyRate,
                                           long seed) {
        int k = anomaliesFor(normal.count(), anomalyRate);
        if (k > anomalies.count()) {
            throw new IllegalArgumentException("an anomaly rate of " + anomalyRate + " needs " + k + " anomalies, "
                    + anomalies.name() + " has " + anomalies.count());
        }
        Datasets.Labelled injected = k == 0 ? null : anomalies.evenlySpaced(k);
        int n = normal.count() + k;
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        OfflineTrainer.shuffle(order, new SplittableRandom(seed));
        float[][] rows = new float[n][];
        int[] labels = new int[n];
        boolean[] anomalous = new boolean[n];
        for (int p = 0; p < n; p++) {
            int source = order[p];
            boolean isAnomaly = source >= normal.count();
            Datasets.Labelled from = isAnomaly ? injected : normal;
            int index = isAnomaly ? source - normal.count() : source;
            rows[p] = from.images().pixels(index);
            labels[p] = from.labels()[index];
            anomalous[p] = isAnomaly;
        }
        return new PrequentialStream(rows, labels, anomalous);
    }

    /**
     * How many anomalies make {@code anomalyRate} of a stream with {@code normal} normal images:
     * {@code round(normal * rate / (1 - rate))}.
     */
    public static int anomaliesFor(int normal, double anomalyRate) {
        if (!(anomalyRate >= 0 && anomalyRate < 1)) {
            throw new IllegalArgumentException("anomaly rate must be in [0, 1), got " + anomalyRate);
        }
        return Math.toIntExact(Math.round(normal * anomalyRate / (1 - anomalyRate)));
    }

    public int size() {
        return rows.length;
    }

    public int anomalyCount() {
        int count = 0;
        for (boolean a : anomalous) {
            if (a) {
                count++;
            }
        }
        return count;
    }
}
