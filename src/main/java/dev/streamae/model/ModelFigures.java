package dev.streamae.model;

import dev.streamae.image.Datasets;
import dev.streamae.image.Figures;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's two figures for a model: held-out digits above their reconstructions, and the 3-D
 * codes of held-out digits with some anomalies among them. Used by the {@code train} command
 * (refreshed after every epoch, as the seed does) and the {@code plot} command.
 */
public final class ModelFigures {

    public static final String RECONSTRUCTIONS = "reconstructions.png";
    public static final String LATENT_SPACE = "latent-space.png";
    /** Held-out digits in the latent scatter (the seed draws 200). */
    public static final int LATENT_DIGITS = 300;
    /** Anomalies (Fashion-MNIST) drawn among them as crosses. */
    public static final int LATENT_ANOMALIES = 50;

    private ModelFigures() {
    }

    /** Whether {@link #latentSpace} can draw this model's codes: it needs a 3-D code. */
    public static boolean canDrawLatentSpace(Architecture architecture) {
        return architecture.codeSize() == 3;
    }

    /**
     * The first image of each label in {@code digits} (one of each digit for MNIST) above its
     * reconstruction.
     *
     * @throws IllegalArgumentException if the model's input is not a square image
     */
    public static BufferedImage reconstructions(Autoencoder model, Datasets.Labelled digits, String title) {
        int side = model.architecture().side();
        if (side < 1) {
            throw new IllegalArgumentException("the model's input size " + model.architecture().inputSize()
                    + " is not a square image");
        }
        int[] picks = digits.firstOfEachLabel();
        float[][] originals = new float[picks.length][];
        for (int i = 0; i < picks.length; i++) {
            originals[i] = digits.images().pixels(picks[i]);
        }
        float[][] reconstructions = model.score(originals).reconstructions();
        return Figures.reconstructionGrid(List.of(originals), List.of(reconstructions), side, title);
    }

    /**
     * Codes of {@link #LATENT_DIGITS} digits spread over {@code digits}, drawn as their labels, and
     * of {@link #LATENT_ANOMALIES} images spread over {@code anomalies}, drawn as crosses (fewer
     * when a set is smaller).
     *
     * @throws IllegalArgumentException unless the code is 3-D
     */
    public static BufferedImage latentSpace(Autoencoder model, Datasets.Labelled digits, Datasets.Labelled anomalies,
                                            String title) {
        if (!canDrawLatentSpace(model.architecture())) {
            throw new IllegalArgumentException("the latent-space figure needs a 3-D code, this model's has "
                    + model.architecture().codeSize() + " dimensions");
        }
        Datasets.Labelled normal = digits.evenlySpaced(Math.min(LATENT_DIGITS, digits.count()));
        Datasets.Labelled odd = anomalies.evenlySpaced(Math.min(LATENT_ANOMALIES, anomalies.count()));
        int n = normal.count() + odd.count();
        float[][] rows = new float[n][];
        int[] labels = new int[n];
        boolean[] anomalous = new boolean[n];
        for (int i = 0; i < normal.count(); i++) {
            rows[i] = normal.images().pixels(i);
            labels[i] = normal.labels()[i];
        }
        for (int j = 0, i = normal.count(); j < odd.count(); j++, i++) {
            rows[i] = odd.images().pixels(j);
            labels[i] = -1;
            anomalous[i] = true;
        }
        float[][] codes = Evaluation.scoreAll(model, rows).codes();
        return Figures.latentScatter(codes, labels, anomalous, title);
    }

    /** Title of the latent-space figure for {@code what} (e.g. "after epoch 10"). */
    public static String latentTitle(Datasets.Split split, String what) {
        return String.format(Locale.ROOT, "3-D codes of %d held-out digits and %d Fashion-MNIST images (x), %s",
                Math.min(LATENT_DIGITS, split.heldOut().count()), Math.min(LATENT_ANOMALIES, split.anomalies().count()),
                what);
    }

    /**
     * Writes {@link #RECONSTRUCTIONS} and, when the code is 3-D, {@link #LATENT_SPACE} into {@code dir}.
     *
     * @return the files written
     */
    public static List<Path> writeBoth(Autoencoder model, Datasets.Split split, Path dir, String what) {
        List<Path> written = new ArrayList<>(2);
        Path grid = dir.resolve(RECONSTRUCTIONS);
        Figures.write(reconstructions(model, split.heldOut(), "held-out digits and reconstructions, " + what), grid);
        written.add(grid);
        if (canDrawLatentSpace(model.architecture())) {
            Path scatter = dir.resolve(LATENT_SPACE);
            Figures.write(latentSpace(model, split.heldOut(), split.anomalies(), latentTitle(split, what)), scatter);
            written.add(scatter);
        }
        return written;
    }
}
