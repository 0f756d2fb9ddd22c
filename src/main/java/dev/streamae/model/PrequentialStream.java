package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A labelled stream for test-then-train evaluation, built like the demo's: the normal images in a
 * seeded shuffled order, cycled, with each position an injected anomaly (a random image of
 * {@code anomalies}) with probability {@code anomalyRate}. Positions only: the rows are read from
 * the datasets on demand, so a stream of any length costs a few bytes per image.
 *
 * @param normal the normal images
 * @param anomalies where injected anomalies come from (may be empty when the rate is 0)
 * @param index the image each position shows, in {@code normal} or {@code anomalies}
 * @param anomalous which positions are injected anomalies
 */
public record PrequentialStream(Datasets.Labelled normal, Datasets.Labelled anomalies, int[] index,
                                boolean[] anomalous) {

    public PrequentialStream {
        if (index.length != anomalous.length) {
            throw new IllegalArgumentException(index.length + " positions but " + anomalous.length + " anomaly flags");
        }
    }

    /**
     * {@code length} images: {@code normal} in a shuffled order (seed {@code seed}), cycled, each
     * position replaced by a random image of {@code anomalies} with probability {@code anomalyRate}.
     *
     * @throws IllegalArgumentException if the rate is outside [0, 1) or there is nothing to draw from
     */
    public static PrequentialStream cycle(Datasets.Labelled normal, Datasets.Labelled anomalies, double anomalyRate,
                                          int length, long seed) {
        if (!(anomalyRate >= 0 && anomalyRate < 1)) {
            throw new IllegalArgumentException("anomaly rate must be in [0, 1), got " + anomalyRate);
        }
        if (length < 1 || normal.count() == 0 || (anomalyRate > 0 && anomalies.count() == 0)) {
            throw new IllegalArgumentException("a stream needs a positive length and images to draw from");
        }
        int[] order = new int[normal.count()];
        Arrays.setAll(order, i -> i);
        OfflineTrainer.shuffle(order, new SplittableRandom(seed));
        SplittableRandom draw = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] index = new int[length];
        boolean[] anomalous = new boolean[length];
        int next = 0;
        for (int p = 0; p < length; p++) {
            if (anomalyRate > 0 && draw.nextDouble() < anomalyRate) {
                anomalous[p] = true;
                index[p] = draw.nextInt(anomalies.count());
            } else {
                index[p] = order[next];
                next = next + 1 == order.length ? 0 : next + 1;
            }
        }
        return new PrequentialStream(normal, anomalies, index, anomalous);
    }

    public int size() {
        return index.length;
    }

    /** The pixels of positions {@code from} (inclusive) to {@code to} (exclusive), in [0, 1]. */
    public float[][] rows(int from, int to) {
        float[][] rows = new float[to - from][];
        for (int p = from; p < to; p++) {
            rows[p - from] = (anomalous[p] ? anomalies : normal).images().pixels(index[p]);
        }
        return rows;
    }

    /** The dataset label of position {@code p} (for an anomaly, its own dataset's class). */
    public int label(int p) {
        return (anomalous[p] ? anomalies : normal).labels()[index[p]];
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
