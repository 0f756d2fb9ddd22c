package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A labelled stream for test-then-train evaluation, built like the demo's: the normal images in a
 * seeded shuffled order, cycled, with each position an injected anomaly (a random image of the
 * anomaly set) with probability {@code anomalyRate}. A stream is one or more {@link Segment}s one
 * after the other, each with its own normal and anomaly sets, so that "normal" can change at a
 * position (drift) and change back. Positions only: the rows are read from the datasets on
 * demand, so a stream of any length costs a few bytes per image.
 *
 * @param sources the datasets the positions show images of
 * @param source per position, which of {@code sources} it shows
 * @param index per position, the image it shows in that source
 * @param anomalous which positions are injected anomalies
 * @param segmentStarts the first position of each segment, from 0, increasing
 */
public record PrequentialStream(List<Datasets.Labelled> sources, byte[] source, int[] index, boolean[] anomalous,
                                int[] segmentStarts) {

    /**
     * A stretch of the stream: {@code length} images of {@code normal} with {@code anomalies}
     * injected at the stream's rate. Segments that share a normal set continue its shuffled order.
     */
    public record Segment(Datasets.Labelled normal, Datasets.Labelled anomalies, int length) {
    }

    public PrequentialStream {
        if (index.length != anomalous.length || index.length != source.length) {
            throw new IllegalArgumentException(index.length + " positions but " + anomalous.length + " anomaly flags and "
                    + source.length + " sources");
        }
        sources = List.copyOf(sources);
    }

    /**
     * {@code length} images: {@code normal} in a shuffled order (seed {@code seed}), cycled, each
     * position replaced by a random image of {@code anomalies} with probability {@code anomalyRate}.
     *
     * @throws IllegalArgumentException if the rate is outside [0, 1) or there is nothing to draw from
     */
    public static PrequentialStream cycle(Datasets.Labelled normal, Datasets.Labelled anomalies, double anomalyRate,
                                          int length, long seed) {
        return of(List.of(new Segment(normal, anomalies, length)), anomalyRate, seed);
    }

    /**
     * The segments one after the other, each normal set in a shuffled order of its own (seed
     * {@code seed}), cycled, each position an anomaly of its segment's set with probability
     * {@code anomalyRate}.
     *
     * @throws IllegalArgumentException if the rate is outside [0, 1), a segment is empty or has nothing to draw from
     */
    public static PrequentialStream of(List<Segment> segments, double anomalyRate, long seed) {
        if (!(anomalyRate >= 0 && anomalyRate < 1)) {
            throw new IllegalArgumentException("anomaly rate must be in [0, 1), got " + anomalyRate);
        }
        int length = 0;
        for (Segment s : segments) {
            if (s.length() < 1 || s.normal().count() == 0 || (anomalyRate > 0 && s.anomalies().count() == 0)) {
                throw new IllegalArgumentException("a stream needs a positive length and images to draw from");
            }
            length = Math.addExact(length, s.length());
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a stream needs a positive length and images to draw from");
        }
        List<Datasets.Labelled> sources = new ArrayList<>();
        List<int[]> orders = new ArrayList<>();
        int[] next = new int[2 * segments.size()];
        SplittableRandom draw = new SplittableRandom(seed ^ 0x5DEECE66DL);
        byte[] source = new byte[length];
        int[] index = new int[length];
        boolean[] anomalous = new boolean[length];
        int[] starts = new int[segments.size()];
        int p = 0;
        for (int k = 0; k < segments.size(); k++) {
            Segment segment = segments.get(k);
            starts[k] = p;
            int normal = sourceOf(segment.normal(), sources);
            int anomalies = anomalyRate > 0 ? sourceOf(segment.anomalies(), sources) : -1;
            while (orders.size() < sources.size()) {
                orders.add(null);
            }
            if (orders.get(normal) == null) {
                // The first normal set keeps the order streams of one segment always had.
                int[] order = new int[segment.normal().count()];
                Arrays.setAll(order, i -> i);
                OfflineTrainer.shuffle(order, new SplittableRandom(normal == 0 ? seed : seed + 31L * normal));
                orders.set(normal, order);
            }
            int[] order = orders.get(normal);
            for (int end = p + segment.length(); p < end; p++) {
                if (anomalyRate > 0 && draw.nextDouble() < anomalyRate) {
                    anomalous[p] = true;
                    source[p] = (byte) anomalies;
                    index[p] = draw.nextInt(segment.anomalies().count());
                } else {
                    source[p] = (byte) normal;
                    index[p] = order[next[normal]];
                    next[normal] = next[normal] + 1 == order.length ? 0 : next[normal] + 1;
                }
            }
        }
        return new PrequentialStream(sources, source, index, anomalous, starts);
    }

    private static int sourceOf(Datasets.Labelled set, List<Datasets.Labelled> sources) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i) == set) {
                return i;
            }
        }
        sources.add(set);
        return sources.size() - 1;
    }

    public int size() {
        return index.length;
    }

    /** The pixels of position {@code p}, in [0, 1]. */
    public float[] row(int p) {
        return sources.get(source[p]).images().pixels(index[p]);
    }

    /** The pixels of positions {@code from} (inclusive) to {@code to} (exclusive), in [0, 1]. */
    public float[][] rows(int from, int to) {
        float[][] rows = new float[to - from][];
        for (int p = from; p < to; p++) {
            rows[p - from] = row(p);
        }
        return rows;
    }

    /** The dataset label of position {@code p} (for an anomaly, its own dataset's class). */
    public int label(int p) {
        return sources.get(source[p]).labels()[index[p]];
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
