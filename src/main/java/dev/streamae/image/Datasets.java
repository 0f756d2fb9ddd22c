package dev.streamae.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

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

        /**
         * {@code n} images spread evenly over the whole set (image {@code floor(k * count / n)} for
         * k = 0..n-1). The MNIST file is grouped by digit, so its first images are all zeros: a
         * sample of it must be spread, not a prefix.
         *
         * @throws IllegalArgumentException unless {@code 1 <= n <= count()}
         */
        public Labelled evenlySpaced(int n) {
            if (n < 1 || n > count()) {
                throw new IllegalArgumentException("cannot take " + n + " of the " + count() + " images of " + name);
            }
            boolean[] keep = new boolean[count()];
            for (int k = 0; k < n; k++) {
                keep[(int) ((long) k * count() / n)] = true;
            }
            return filter(i -> keep[i], name);
        }

        /** Index of the first image of each label 0..9 that occurs, in label order. */
        public int[] firstOfEachLabel() {
            int[] first = new int[10];
            Arrays.fill(first, -1);
            for (int i = 0; i < count(); i++) {
                int label = labels[i];
                if (label >= 0 && label < first.length && first[label] < 0) {
                    first[label] = i;
                }
            }
            return Arrays.stream(first).filter(i -> i >= 0).toArray();
        }

        public float[][] pixelRows() {
            float[][] rows = new float[count()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = images.pixels(i);
            }
            return rows;
        }
    }

    /**
     * The seed experiment's data, loaded once: the 8,000 training digits, the 2,000 held-out digits
     * and as many Fashion-MNIST images (the first ones of the file) as anomalies.
     */
    public record Split(Labelled train, Labelled heldOut, Labelled anomalies) {
    }

    public static Split seedSplit() {
        Labelled mnist = mnist();
        Labelled heldOut = mnist.filter(Datasets::isHeldOut, "mnist-heldout");
        return new Split(mnist.filter(i -> !isHeldOut(i), "mnist-train"), heldOut,
                fashion().first(heldOut.count()));
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

    /** Fashion-MNIST's class names, by label (Xiao et al., 2017). */
    private static final List<String> FASHION_CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    /** The name of Fashion-MNIST class {@code label}, e.g. 8 is "bag". */
    public static String fashionClass(int label) {
        return FASHION_CLASSES.get(label);
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
