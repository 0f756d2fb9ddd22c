package dev.streamae.cli;

import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.model.OfflineTrainer;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.Label;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * An endless, reproducible stream of images as users would produce them: a shipped dataset in a
 * seeded shuffled order (cycled), or a folder of PNG files, with an optional fraction of images
 * of the other dataset injected as anomalies: Fashion-MNIST into digits (and PNG files), and into
 * Fashion-MNIST frames of sensor noise (uniform random pixels). Digits would not do there, plain or
 * inverted: under the default error (binary cross-entropy) an image of pixels near 0 and 1 scores
 * lower than the grey textures of clothes however badly it is reconstructed (measured: AUROC 0.26
 * for digits, 0.30 for inverted digits), so no error-based detector could find them. A digits
 * stream can drift ({@link #drift}): its normal becomes Fashion-MNIST and the injected anomalies
 * noise, the demo's lasting change of "normal".
 */
final class ImageStream {

    /** How pixels are put on the wire. */
    enum Encoding { U8, PIXELS, PNG }

    /** One image to send, and whether it is an injected anomaly. */
    record Next(ImageRecord image, boolean injected) {
    }

    private Datasets.Labelled normal;
    private final List<Path> pngFiles;
    private Datasets.Labelled anomalies;
    private final double anomalyRate;
    private final Encoding encoding;
    private final Random random;
    private final String idPrefix;
    private int[] order;
    private final long seed;
    private long produced;

    private ImageStream(Datasets.Labelled normal, List<Path> pngFiles, double anomalyRate, Encoding encoding, long seed,
                        String idPrefix) {
        this.normal = normal;
        this.pngFiles = pngFiles;
        this.anomalies = anomalyRate > 0 ? anomaliesFor(normal) : null;
        this.anomalyRate = anomalyRate;
        this.encoding = encoding;
        this.random = new Random(seed);
        this.idPrefix = idPrefix;
        this.seed = seed;
        this.order = shuffled(normal != null ? normal.count() : pngFiles.size(), seed);
    }

    private static int[] shuffled(int count, long seed) {
        int[] order = new int[count];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        OfflineTrainer.shuffle(order, new SplittableRandom(seed));
        return order;
    }

    /**
     * From the next image on, normal images are Fashion-MNIST and the injected anomalies are MNIST
     * training digits: a new normal, as when a camera is pointed at a new product.
     *
     * @throws IllegalStateException for a stream of PNG files, or once drifted
     */
    void drift() {
        if (normal == null || "fashion".equals(normal.name())) {
            throw new IllegalStateException("only an MNIST stream can drift to Fashion-MNIST");
        }
        normal = Datasets.fashion();
        anomalies = anomalyRate > 0 ? anomaliesFor(normal) : null;
        order = shuffled(normal.count(), seed);
    }

    /** What is injected into a stream of {@code normal} (null: PNG files): the other dataset. */
    private static Datasets.Labelled anomaliesFor(Datasets.Labelled normal) {
        return normal != null && "fashion".equals(normal.name()) ? Datasets.mnistTrain() : Datasets.fashion();
    }

    static ImageStream ofDataset(String name, double anomalyRate, Encoding encoding, long seed, String idPrefix) {
        Datasets.Labelled set = switch (name.toLowerCase(Locale.ROOT)) {
            case "mnist" -> Datasets.mnist();
            case "mnist-train" -> Datasets.mnistTrain();
            case "mnist-heldout" -> Datasets.mnistHeldOut();
            case "fashion" -> Datasets.fashion();
            default -> throw new IllegalArgumentException("unknown dataset '" + name
                    + "': use mnist, mnist-train, mnist-heldout or fashion");
        };
        return new ImageStream(set, null, anomalyRate, encoding, seed, idPrefix);
    }

    static ImageStream ofPngFolder(Path folder, double anomalyRate, long seed, String idPrefix) {
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .png files in " + folder);
        }
        return new ImageStream(null, files, anomalyRate, Encoding.PNG, seed, idPrefix);
    }

    /** Number of distinct normal images before the stream repeats. */
    int size() {
        return order.length;
    }

    Next next() {
        long n = produced++;
        boolean injected = anomalies != null && random.nextDouble() < anomalyRate;
        long now = System.currentTimeMillis();
        if (injected) {
            int index = random.nextInt(anomalies.count());
            byte[] bytes = anomalies.images().bytes(index);
            if (injectsNoise()) {
                byte[] noise = new byte[bytes.length];
                random.nextBytes(noise);
                return new Next(encode(idPrefix + "noise-" + n, noise, Label.of("noise"), now), true);
            }
            return new Next(encode(idPrefix + anomalies.name() + "-" + n, bytes, label(anomalies, index), now), true);
        }
        int index = order[(int) (n % order.length)];
        if (pngFiles != null) {
            Path file = pngFiles.get(index);
            try {
                String png = Base64.getEncoder().encodeToString(Files.readAllBytes(file));
                return new Next(new ImageRecord(idPrefix + file.getFileName() + "-" + n, null, null, png, null, null, null, now), false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return new Next(encode(idPrefix + normal.name() + "-" + n, normal.images().bytes(index),
                label(normal, index), now), false);
    }

    /** Whether the injected anomalies are noise: in a Fashion-MNIST stream. */
    private boolean injectsNoise() {
        return normal != null && "fashion".equals(normal.name());
    }

    /** Fashion-MNIST images are labelled as what they are, not by a class number that reads as a digit. */
    private static Label label(Datasets.Labelled set, int index) {
        int label = set.labels()[index];
        return "fashion".equals(set.name()) ? Label.of("fashion:" + Datasets.fashionClass(label)) : Label.of(label);
    }

    private ImageRecord encode(String id, byte[] bytes, Label label, long timestamp) {
        int side = (int) Math.round(Math.sqrt(bytes.length));
        return switch (encoding) {
            case U8 -> new ImageRecord(id, null, ImageDecoder.encodeU8(bytes), null, null, null, label, timestamp);
            case PIXELS -> new ImageRecord(id, toFloats(bytes), null, null, null, null, label, timestamp);
            case PNG -> new ImageRecord(id, null, null, ImageDecoder.encodePng(toFloats(bytes), side, side), null, null,
                    label, timestamp);
        };
    }

    private static float[] toFloats(byte[] bytes) {
        float[] out = new float[bytes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (bytes[i] & 0xff) / 255f;
        }
        return out;
    }

}
