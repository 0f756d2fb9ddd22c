package dev.streamae.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The datasets shipped in the jar (see {@code src/main/resources/datasets/PROVENANCE.md}): the
 * 10,000 MNIST digits and the 10,000 Fashion-MNIST test images. Nothing is fetched at run time.
 *
 * <p>One split is used everywhere (offline training, evaluation, the demo, the benchmarks): MNIST
 * image {@code i} is held out when {@code i % 5 == 4}, giving 8,000 training and 2,000 held-out
 * digits with every class in both.
 */
public final class Datasets {

    /** MNIST image {@code i} is held out when {@code i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1}. */
    public static final int HOLDOUT_EVERY = 5;

    private static final String ROOT = "/datasets/";

    private Datasets() {
    }

    /** A labelled set of images. */
    public record Labelled(String name, Idx.Images images, int[] labels) {

        public int count() {
            return images.count();
        }

        /** Keeps the images whose index satisfies {@code keep}. */
        public Labelled filter(java.util.function.IntPredicate keep, String newName) {
            int size = images.size();
            int kept = 0;
            for (int i = 0; i < count(); i++) {
                if (keep.test(i)) {
                    kept++;
                }
            }
            byte[] data = new byte[kept * size];
            int[] newLabels = new int[kept];
            int j = 0;
            for (int i = 0; i < count(); i++) {
                if (keep.test(i)) {
                    System.arraycopy(images.data(), i * size, data, j * size, size);
                    newLabels[j++] = labels[i];
                }
            }
            return new Labelled(newName, new Idx.Images(kept, images.rows(), images.cols(), data), newLabels);
        }

        /** The first {@code n} images. */
        public Labelled first(int n) {
            return filter(i -> i < n, name);
        }

        public float[][] pixelRows() {
            float[][] rows = new float[count()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = images.pixels(i);
            }
            return rows;
        }
    }

    public static boolean isHeldOut(int index) {
        return index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1;
    }

    public static Labelled mnist() {
        return load("mnist");
    }

    public static Labelled mnistTrain() {
        return mnist().filter(i -> !isHeldOut(i), "mnist-train");
    }

    public static Labelled mnistHeldOut() {
        return mnist().filter(Datasets::isHeldOut, "mnist-heldout");
    }

    public static Labelled fashion() {
        return load("fashion");
    }

    private static Labelled load(String name) {
        Idx.Images images = Idx.readImages(open(name + "-images-idx3-ubyte.gz"), name);
        int[] labels = Idx.readLabels(open(name + "-labels-idx1-ubyte.gz"), name);
        if (labels.length != images.count()) {
            throw new IllegalStateException(name + ": " + images.count() + " images but " + labels.length + " labels");
        }
        return new Labelled(name, images, labels);
    }

    private static InputStream open(String file) {
        InputStream in = Datasets.class.getResourceAsStream(ROOT + file);
        if (in == null) {
            throw new UncheckedIOException(new IOException("dataset " + file + " is missing from the classpath"));
        }
        return in;
    }
}
