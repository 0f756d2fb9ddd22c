package dev.streamae.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures on real MNIST data. Without a trained model, "reconstructions" are blurred originals
 * and the 3-D "codes" are the first three principal components of the pixels. The PNGs are also
 * left in {@code target/figures} for a human to look at.
 */
class FiguresTest {

    private static final Path SAMPLES = Path.of("target", "figures");
    private static Datasets.Labelled mnist;
    private static Datasets.Labelled fashion;

    @BeforeAll
    static void load() {
        // The shipped MNIST set is grouped by label: take every k-th image to get all ten digits.
        Datasets.Labelled heldOut = Datasets.mnistHeldOut();
        mnist = heldOut.filter(i -> i % 5 == 0, "mnist-sample");
        fashion = Datasets.fashion().filter(i -> i % 50 == 0, "fashion-sample");
    }

    @Test
    void reconstructionGridHasTwoRowsOfTenAndIsReadableBack() throws IOException {
        List<float[]> originals = new ArrayList<>();
        List<float[]> reconstructions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            originals.add(mnist.images().pixels(i * 41));
            reconstructions.add(blur(mnist.images().pixels(i * 41)));
        }
        BufferedImage figure = Figures.reconstructionGrid(originals, reconstructions, 28, "epoch 3, held-out MSE 0.041");
        // Two rows of 112-pixel digits (28 x 4) under a title: taller than two digits, far wider than tall.
        assertThat(figure.getHeight()).isBetween(2 * 112 + 40, 2 * 112 + 120);
        assertThat(figure.getWidth()).isBetween(10 * 112, 10 * 112 + 400);
        BufferedImage back = roundTrip(figure, "reconstruction-grid.png");
        assertThat(back.getWidth()).isEqualTo(figure.getWidth());
        assertThat(back.getHeight()).isEqualTo(figure.getHeight());
        // Twenty mostly-black 112x112 cells, plus text.
        assertThat(countPixels(back, rgb -> rgb != 0xffffff)).isGreaterThan(20 * 112 * 112 / 2);
        // The digits' strokes are there: plenty of near-white pixels inside the cells.
        assertThat(countPixels(back, rgb -> (rgb & 0xff) > 200 && rgb != 0xffffff)).isGreaterThan(20 * 16 * 15);
    }

    @Test
    void aLongTitleShrinksToFitInsteadOfRunningOffTheFigure() {
        String title = "3-D codes of 300 held-out digits and 50 Fashion-MNIST images (x), model with-a-long-name v12345";
        BufferedImage figure = Figures.latentScatter(new float[][] {{0, 0, 0}, {1, 1, 1}}, null, null, title);
        // The title band's two outer columns stay white: nothing was clipped at either edge.
        for (int y = 0; y < 50; y++) {
            assertThat(figure.getRGB(0, y) & 0xffffff).isEqualTo(0xffffff);
            assertThat(figure.getRGB(1, y) & 0xffffff).isEqualTo(0xffffff);
        }
    }

    @Test
    void moreThanTenImagesWrapIntoFurtherRowPairs() throws IOException {
        List<float[]> originals = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            originals.add(mnist.images().pixels(i * 16));
        }
        List<float[]> reconstructions = originals.stream().map(FiguresTest::blur).toList();
        BufferedImage figure = Figures.reconstructionGrid(originals, reconstructions, 28, "25 held-out digits");
        assertThat(figure.getHeight()).isGreaterThan(3 * 2 * 112);
        roundTrip(figure, "reconstruction-grid-25.png");
    }

    @Test
    void gridRejectsMismatchedInputs() {
        float[] digit = mnist.images().pixels(0);
        assertThatThrownBy(() -> Figures.reconstructionGrid(List.of(digit), List.of(), 28, "t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("need as many reconstructions as originals (at least one), got 1 and 0");
        assertThatThrownBy(() -> Figures.reconstructionGrid(List.of(digit), List.of(new float[10]), 28, "t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconstruction 0 has 10 values, expected 784 (28x28)");
    }

    @Test
    void latentScatterOfDigitsAndFashionImages() throws IOException {
        int digits = 300;
        int clothes = 60;
        float[][] data = new float[digits + clothes][];
        int[] labels = new int[data.length];
        boolean[] anomalous = new boolean[data.length];
        for (int i = 0; i < digits; i++) {
            data[i] = mnist.images().pixels(i + i / 3);
            labels[i] = mnist.labels()[i + i / 3];
        }
        for (int i = 0; i < clothes; i++) {
            data[digits + i] = fashion.images().pixels(i);
            labels[digits + i] = fashion.labels()[i];
            anomalous[digits + i] = true;
        }
        float[][] codes = pca3(data, digits);
        BufferedImage figure = Figures.latentScatter(codes, labels, anomalous,
                "3-D codes of 300 held-out digits and 60 Fashion images (PCA stand-in)");
        assertThat(figure.getWidth()).isBetween(800, 1400);
        assertThat(figure.getHeight()).isBetween(600, 1000);
        BufferedImage back = roundTrip(figure, "latent-scatter.png");
        // Coloured label text: saturated pixels, from several distinct tab10 hues.
        assertThat(countPixels(back, FiguresTest::saturated)).isGreaterThan(3000);
        for (int label : new int[] {0, 1, 3, 9}) {
            int colour = LatentScatter.TAB10[label].getRGB() & 0xffffff;
            assertThat(countPixels(back, rgb -> rgb == colour)).as("pixels of label %d's colour", label).isGreaterThan(20);
        }
        // Black crosses for the Fashion images.
        assertThat(countPixels(back, rgb -> rgb == 0)).isGreaterThan(clothes * 5);
    }

    @Test
    void latentScatterCopesWithUnknownLabelsFlatAndNonFiniteCodes() throws IOException {
        Random random = new Random(7);
        float[][] codes = new float[250][];
        int[] labels = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            // z is constant: a flat axis must still get a sensible range.
            codes[i] = new float[] {(float) random.nextGaussian() * 20, (float) random.nextGaussian() * 0.01f, 1.5f};
            labels[i] = i % 3 == 0 ? -1 : i % 10;
        }
        codes[5] = new float[] {Float.NaN, 0, 0};
        BufferedImage figure = Figures.latentScatter(codes, labels, null, "unknown labels and a NaN code");
        roundTrip(figure, "latent-scatter-edge-cases.png");
        BufferedImage noLabels = Figures.latentScatter(codes, null, null, "no labels");
        assertThat(countPixels(noLabels, FiguresTest::saturated)).isZero();
        assertThat(countPixels(noLabels, rgb -> rgb != 0xffffff)).isGreaterThan(1000);
        BufferedImage empty = Figures.latentScatter(new float[0][], null, null, "nothing yet");
        assertThat(empty.getWidth()).isPositive();
    }

    @Test
    void latentScatterRejectsMismatchedInputs() {
        assertThatThrownBy(() -> Figures.latentScatter(new float[][] {{1, 2}}, null, null, "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("code 0 has 2 values, the scatter needs 3");
        assertThatThrownBy(() -> Figures.latentScatter(new float[][] {{1, 2, 3}}, new int[2], null, "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("1 codes but 2 labels");
    }

    @Test
    void niceTicks() {
        assertThat(LatentScatter.niceTicks(-0.05, 1.05)).containsExactly(new double[] {0, 0.2, 0.4, 0.6000000000000001,
                0.8, 1}, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(LatentScatter.niceTicks(-13, 27)).containsExactly(-10, 0, 10, 20);
    }

    @Test
    void writeCreatesParentDirectories(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("a/b/figure.png");
        BufferedImage figure = Figures.reconstructionGrid(List.of(mnist.images().pixels(0)),
                List.of(mnist.images().pixels(0)), 28, "one");
        Figures.write(figure, target);
        BufferedImage back = ImageIO.read(target.toFile());
        assertThat(back.getWidth()).isEqualTo(figure.getWidth());
    }

    // ------------------------------------------------------------------ helpers

    private static BufferedImage roundTrip(BufferedImage figure, String sampleName) throws IOException {
        Figures.write(figure, SAMPLES.resolve(sampleName));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(Figures.png(figure)));
        assertThat(back).isNotNull();
        assertThat(Files.size(SAMPLES.resolve(sampleName))).isPositive();
        return back;
    }

    private static long countPixels(BufferedImage image, java.util.function.IntPredicate rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (rgb.test(image.getRGB(x, y) & 0xffffff)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean saturated(int rgb) {
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60;
    }

    /** A 3x3 box blur: a plausible stand-in for an autoencoder's soft reconstruction. */
    private static float[] blur(float[] pixels) {
        float[] out = new float[pixels.length];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                float sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) {
                            sum += pixels[yy * 28 + xx];
                            n++;
                        }
                    }
                }
                out[y * 28 + x] = sum / n;
            }
        }
        return out;
    }

    /** First three principal components of the first {@code fitRows} rows, applied to all rows. */
    private static float[][] pca3(float[][] rows, int fitRows) {
        int d = rows[0].length;
        double[] mean = new double[d];
        for (int i = 0; i < fitRows; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += rows[i][j] / (double) fitRows;
            }
        }
        double[][] components = new double[3][];
        Random random = new Random(11);
        for (int c = 0; c < 3; c++) {
            double[] v = random.doubles(d).toArray();
            for (int iteration = 0; iteration < 60; iteration++) {
                double[] next = new double[d];
                for (int i = 0; i < fitRows; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += (rows[i][j] - mean[j]) * v[j];
                    }
                    for (int j = 0; j < d; j++) {
                        next[j] += s * (rows[i][j] - mean[j]);
                    }
                }
                for (int k = 0; k < c; k++) { // deflate: stay orthogonal to earlier components
                    double s = dot(next, components[k]);
                    for (int j = 0; j < d; j++) {
                        next[j] -= s * components[k][j];
                    }
                }
                double norm = Math.sqrt(dot(next, next));
                for (int j = 0; j < d; j++) {
                    next[j] /= norm;
                }
                v = next;
            }
            components[c] = v;
        }
        float[][] codes = new float[rows.length][3];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (rows[i][j] - mean[j]) * components[c][j];
                }
                codes[i][c] = (float) s;
            }
        }
        return codes;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
