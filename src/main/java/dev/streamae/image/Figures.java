package dev.streamae.image;

import java.awt.AWTError;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The seed tutorial's two figures, drawn with Java2D into PNG-ready images:
 * <ol>
 *   <li>{@link #reconstructionGrid}: originals in one row, their reconstructions directly below,
 *       refreshed while training so one can watch the model learn;</li>
 *   <li>{@link #latentScatter}: 3-D codes drawn as their labels in a colour per label, through a
 *       fixed oblique view (see {@link LatentScatter}).</li>
 * </ol>
 * Java2D rather than a plotting library because the figures are simple, a dependency would be
 * large, and Java2D renders off-screen. Headless: with no {@code DISPLAY} variable Java falls back
 * to headless by itself, so tests need no setting. But a {@code DISPLAY} naming an unreachable X
 * server (a stale variable in a container or over ssh) makes the first drawing fail; processes that
 * draw figures should start with {@code -Djava.awt.headless=true}, and the failure is reported
 * saying so. (Decoding images never needs a display.) Fonts are the logical "SansSerif" so that any
 * JDK with any font installed can render them.
 */
public final class Figures {

    /** Pixels drawn per image pixel for a 28x28 digit; larger images get a smaller factor. */
    static final int SCALE = 4;
    /** Images per row pair of the reconstruction grid, like the seed's figure. */
    static final int COLUMNS = 10;
    private static final int GAP = 6;
    private static final int MARGIN = 16;
    private static final int PAIR_GAP = 18;
    private static final int TITLE_HEIGHT = 44;
    private static final int MIN_TITLE_SIZE = 10;
    private static final Color FRAME = new Color(0x99, 0x99, 0x99);
    private static final Color INK = new Color(0x22, 0x22, 0x22);

    private Figures() {
    }

    /**
     * Originals above their reconstructions: up to {@value #COLUMNS} per row, more wrap into further
     * pairs of rows. Images are drawn on the gray colour map (0 black, 1 white), enlarged with
     * nearest-neighbour sampling so that individual pixels stay visible.
     *
     * @param originals images of {@code side * side} values in [0, 1] (values outside are clamped)
     * @param reconstructions the model's outputs, same count and size as {@code originals}
     * @param side the image side (28 for MNIST)
     * @param title e.g. "epoch 3, held-out MSE 0.041"
     */
    public static BufferedImage reconstructionGrid(List<float[]> originals, List<float[]> reconstructions, int side,
                                                   String title) {
        if (originals.isEmpty() || originals.size() != reconstructions.size()) {
            throw new IllegalArgumentException("need as many reconstructions as originals (at least one), got "
                    + originals.size() + " and " + reconstructions.size());
        }
        int n = originals.size();
        int scale = Math.max(1, Math.min(SCALE, SCALE * 28 / side));
        int cell = side * scale;
        int columns = Math.min(n, COLUMNS);
        int pairs = (n + columns - 1) / columns;

        Font captionFont = font(Font.PLAIN, 15);
        // The caption column must fit the longer caption, so measure it before sizing the figure.
        Graphics2D measure = graphics(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
        int left = MARGIN + measure.getFontMetrics(captionFont).stringWidth("reconstruction") + MARGIN;
        measure.dispose();
        int width = left + columns * cell + (columns - 1) * GAP + MARGIN;
        int pairHeight = 2 * cell + GAP;
        int height = TITLE_HEIGHT + pairs * pairHeight + (pairs - 1) * PAIR_GAP + MARGIN;

        BufferedImage figure = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(figure);
        g.setColor(INK);
        drawTitle(g, title, width / 2.0, TITLE_HEIGHT / 2.0, width - 2 * MARGIN);
        g.setFont(captionFont);
        for (int p = 0; p < pairs; p++) {
            int top = TITLE_HEIGHT + p * (pairHeight + PAIR_GAP);
            drawCaption(g, "original", left - MARGIN, top + cell / 2);
            drawCaption(g, "reconstruction", left - MARGIN, top + cell + GAP + cell / 2);
            for (int c = 0; c < columns && p * columns + c < n; c++) {
                int i = p * columns + c;
                int x = left + c * (cell + GAP);
                drawDigit(g, originals.get(i), side, x, top, cell, "original " + i);
                drawDigit(g, reconstructions.get(i), side, x, top + cell + GAP, cell, "reconstruction " + i);
            }
        }
        g.dispose();
        return figure;
    }

    /**
     * 3-D codes drawn as their labels; see {@link LatentScatter} for the view and the markers.
     *
     * @param codes3d one row of 3 values per image; rows with a non-finite value are not drawn and
     *     are counted in the legend
     * @param labels the label (0-9) of each image, or null; other values mean unknown
     * @param anomalous which images are anomalies (drawn as a black cross), or null for none
     * @param title e.g. "3-D codes of 300 held-out digits and 100 Fashion images"
     */
    public static BufferedImage latentScatter(float[][] codes3d, int[] labels, boolean[] anomalous, String title) {
        return LatentScatter.draw(codes3d, labels, anomalous, title);
    }

    /** The figure as PNG bytes (for HTTP responses and Kafka records). */
    public static byte[] png(BufferedImage figure) {
        return PngIo.write(figure);
    }

    /** Writes the figure as a PNG file, creating parent directories as needed. */
    public static void write(BufferedImage figure, Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(path, png(figure));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + path, e);
        }
    }

    // ------------------------------------------------------------------ shared drawing helpers

    /** A white canvas with antialiased shapes and text. */
    static Graphics2D graphics(BufferedImage figure) {
        Graphics2D g;
        try {
            g = figure.createGraphics();
        } catch (AWTError | NoClassDefFoundError e) {
            // An Error would escape the callers' exception handlers: report the fix instead. The
            // first failure is an AWTError; later ones find the graphics environment's class
            // unusable (NoClassDefFoundError).
            throw new IllegalStateException("cannot draw figures (" + e.getMessage()
                    + "): no usable display; start the JVM with -Djava.awt.headless=true", e);
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, figure.getWidth(), figure.getHeight());
        return g;
    }

    static Font font(int style, int size) {
        return new Font(Font.SANS_SERIF, style, size);
    }

    /** Draws a figure's title centred on {@code (x, y)}, in a smaller font when needed to fit {@code maxWidth}. */
    static void drawTitle(Graphics2D g, String title, double x, double y, double maxWidth) {
        int size = 17;
        Font font = font(Font.PLAIN, size);
        while (size > MIN_TITLE_SIZE && g.getFontMetrics(font).stringWidth(title) > maxWidth) {
            font = font(Font.PLAIN, --size);
        }
        drawCentred(g, title, font, x, y);
    }

    /** Draws {@code text} centred on {@code (x, y)} (vertically by its cap height, not its box). */
    static void drawCentred(Graphics2D g, String text, Font font, double x, double y) {
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        float w = (float) fm.getStringBounds(text, g).getWidth();
        g.drawString(text, (float) (x - w / 2), (float) (y + fm.getAscent() * 0.36));
    }

    private static void drawCaption(Graphics2D g, String text, int right, int centreY) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(INK);
        g.drawString(text, right - fm.stringWidth(text), centreY + fm.getAscent() * 0.36f);
    }

    private static void drawDigit(Graphics2D g, float[] pixels, int side, int x, int y, int cell, String what) {
        if (pixels == null || pixels.length != side * side) {
            throw new IllegalArgumentException(what + " has " + (pixels == null ? "no" : pixels.length)
                    + " values, expected " + side * side + " (" + side + "x" + side + ")");
        }
        BufferedImage digit = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = digit.getRaster();
        for (int r = 0, i = 0; r < side; r++) {
            for (int c = 0; c < side; c++, i++) {
                float v = pixels[i];
                // NaN (a diverged model) shows as black rather than failing the whole figure.
                int gray = v > 0 ? Math.round(Math.min(1f, v) * 255) : 0;
                raster.setSample(c, r, 0, gray);
            }
        }
        // Nearest neighbour: blurred enlargement would hide exactly what the figure is for.
        Object interpolation = g.getRenderingHint(RenderingHints.KEY_INTERPOLATION);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(digit, x, y, cell, cell, null);
        if (interpolation != null) {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
        }
        g.setColor(FRAME);
        g.drawRect(x - 1, y - 1, cell + 1, cell + 1);
    }
}
