package dev.streamae.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The seed's second figure: 3-D codes drawn as their labels, one colour per label.
 *
 * <p>The view is fixed, matplotlib's default 3-D view (azimuth -60 degrees, elevation 30 degrees,
 * orthographic), so that figures from successive model versions can be compared by eye; a view
 * chosen from the data would turn with every snapshot. Each axis is scaled to its data range
 * (with 5% margins) and the box drawn as a unit cube, as matplotlib does, so clusters use the
 * whole box whatever the code's scale. The three far faces are shaded with grid lines at the
 * ticks, tick labels sit on the front edges, and points are drawn back to front so nearer labels
 * cover farther ones.
 *
 * <p>Markers: a known label (0-9) is that digit in its tab10 colour; an anomalous image is a black
 * cross, whatever its label (a Fashion-MNIST class number is not a digit); an unknown label is a
 * small gray ring.
 */
final class LatentScatter {

    /** matplotlib's tab10: ten distinct colours that stay readable as text on a light background. */
    static final Color[] TAB10 = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    static final int WIDTH = 980;
    static final int HEIGHT = 780;
    private static final double AZIMUTH = Math.toRadians(-60);
    private static final double ELEVATION = Math.toRadians(30);
    private static final int LEGEND_WIDTH = 190;
    private static final int TITLE_HEIGHT = 50;
    /** Room around the cube for tick labels and axis names. */
    private static final int AXIS_ROOM = 70;
    private static final Color PANE = new Color(0xf2, 0xf2, 0xf2);
    private static final Color GRID = new Color(0xd6, 0xd6, 0xd6);
    private static final Color EDGE = new Color(0x8a, 0x8a, 0x8a);
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color UNKNOWN = new Color(0x55, 0x55, 0x55);
    private static final String[] AXIS_NAMES = {"x", "y", "z"};

    // Screen basis of the fixed view: right, up, and towards the viewer.
    private static final double[] RIGHT = {-Math.sin(AZIMUTH), Math.cos(AZIMUTH), 0};
    private static final double[] UP = {
        -Math.sin(ELEVATION) * Math.cos(AZIMUTH), -Math.sin(ELEVATION) * Math.sin(AZIMUTH), Math.cos(ELEVATION)};
    private static final double[] TOWARDS_VIEWER = {
        Math.cos(ELEVATION) * Math.cos(AZIMUTH), Math.cos(ELEVATION) * Math.sin(AZIMUTH), Math.sin(ELEVATION)};

    private final double[][] limits = new double[3][];
    private final double[][] ticks = new double[3][];
    private double scale;
    private double centreX;
    private double centreY;

    private LatentScatter() {
    }

    static BufferedImage draw(float[][] codes, int[] labels, boolean[] anomalous, String title) {
        if (labels != null && labels.length != codes.length) {
            throw new IllegalArgumentException(codes.length + " codes but " + labels.length + " labels");
        }
        if (anomalous != null && anomalous.length != codes.length) {
            throw new IllegalArgumentException(codes.length + " codes but " + anomalous.length + " anomaly flags");
        }
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == null || codes[i].length != 3) {
                throw new IllegalArgumentException("code " + i + " has " + (codes[i] == null ? "no" : codes[i].length)
                        + " values, the scatter needs 3");
            }
        }
        return new LatentScatter().render(codes, labels, anomalous, title);
    }

    private BufferedImage render(float[][] codes, int[] labels, boolean[] anomalous, String title) {
        List<Integer> drawn = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            if (Float.isFinite(codes[i][0]) && Float.isFinite(codes[i][1]) && Float.isFinite(codes[i][2])) {
                drawn.add(i);
            }
        }
        for (int a = 0; a < 3; a++) {
            limits[a] = limits(codes, drawn, a);
            ticks[a] = niceTicks(limits[a][0], limits[a][1]);
        }
        fitCube();

        BufferedImage figure = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Figures.graphics(figure);
        g.setColor(INK);
        Figures.drawTitle(g, title, (WIDTH - LEGEND_WIDTH) / 2.0, TITLE_HEIGHT / 2.0, WIDTH - LEGEND_WIDTH - 20);
        drawPanes(g);
        drawAxes(g);

        // Back to front: the painter's algorithm is all the depth handling text markers need.
        drawn.sort(Comparator.comparingDouble(i -> dot(normalised(codes[i]), TOWARDS_VIEWER)));
        Font labelFont = Figures.font(Font.BOLD, 14);
        int[] perLabel = new int[10];
        int unknown = 0;
        int anomalies = 0;
        for (int i : drawn) {
            Point2D.Double p = project(normalised(codes[i]));
            int label = labels == null ? -1 : labels[i];
            if (anomalous != null && anomalous[i]) {
                anomalies++;
                drawCross(g, p.x, p.y);
            } else if (label >= 0 && label <= 9) {
                perLabel[label]++;
                g.setColor(TAB10[label]);
                Figures.drawCentred(g, Integer.toString(label), labelFont, p.x, p.y);
            } else {
                unknown++;
                drawRing(g, p.x, p.y);
            }
        }
        drawLegend(g, perLabel, anomalies, unknown, codes.length - drawn.size(), labelFont);
        g.dispose();
        return figure;
    }

    // ------------------------------------------------------------------ geometry

    /** Data range of axis {@code a} with 5% margins; a flat or empty range gets a unit span. */
    private static double[] limits(float[][] codes, List<Integer> drawn, int a) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i : drawn) {
            lo = Math.min(lo, codes[i][a]);
            hi = Math.max(hi, codes[i][a]);
        }
        if (drawn.isEmpty()) {
            return new double[] {-1, 1};
        }
        double span = hi - lo;
        if (span < 1e-9 * Math.max(1, Math.abs(lo))) {
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo - 0.05 * span, hi + 0.05 * span};
    }

    /** Ticks at 1, 2 or 5 times a power of ten, about five per axis, inside the limits. */
    static double[] niceTicks(double lo, double hi) {
        double raw = (hi - lo) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude;
        List<Double> out = new ArrayList<>();
        for (long k = (long) Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) {
            out.add(k * step);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private double[] normalised(float[] code) {
        return new double[] {unit(0, code[0]), unit(1, code[1]), unit(2, code[2])};
    }

    /** Maps a value on axis {@code a} to [-1, 1] across its limits. */
    private double unit(int a, double v) {
        return 2 * (v - limits[a][0]) / (limits[a][1] - limits[a][0]) - 1;
    }

    /** Scales and centres the projected cube in the plot area, leaving room for the axis text. */
    private void fitCube() {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int corner = 0; corner < 8; corner++) {
            double[] p = {(corner & 1) == 0 ? -1 : 1, (corner & 2) == 0 ? -1 : 1, (corner & 4) == 0 ? -1 : 1};
            double sx = dot(p, RIGHT);
            double sy = dot(p, UP);
            minX = Math.min(minX, sx);
            maxX = Math.max(maxX, sx);
            minY = Math.min(minY, sy);
            maxY = Math.max(maxY, sy);
        }
        double areaWidth = WIDTH - LEGEND_WIDTH - 2 * AXIS_ROOM;
        double areaHeight = HEIGHT - TITLE_HEIGHT - 2 * AXIS_ROOM;
        scale = Math.min(areaWidth / (maxX - minX), areaHeight / (maxY - minY));
        centreX = AXIS_ROOM + areaWidth / 2 - scale * (minX + maxX) / 2;
        centreY = TITLE_HEIGHT + AXIS_ROOM + areaHeight / 2 + scale * (minY + maxY) / 2;
    }

    private Point2D.Double project(double[] p) {
        return new Point2D.Double(centreX + scale * dot(p, RIGHT), centreY - scale * dot(p, UP));
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    /** The side (-1 or +1) of axis {@code a} that is away from the viewer. */
    private static double far(int a) {
        return TOWARDS_VIEWER[a] > 0 ? -1 : 1;
    }

    // ------------------------------------------------------------------ box, grid and axes

    /** The three far faces of the cube, shaded, with grid lines at the other two axes' ticks. */
    private void drawPanes(Graphics2D g) {
        g.setStroke(new BasicStroke(1f));
        for (int a = 0; a < 3; a++) {
            int b = (a + 1) % 3;
            int c = (a + 2) % 3;
            Path2D.Double pane = new Path2D.Double();
            double[][] square = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
            for (int k = 0; k < 4; k++) {
                Point2D.Double p = project(point(a, far(a), b, square[k][0], c, square[k][1]));
                if (k == 0) {
                    pane.moveTo(p.x, p.y);
                } else {
                    pane.lineTo(p.x, p.y);
                }
            }
            pane.closePath();
            g.setColor(PANE);
            g.fill(pane);
            g.setColor(GRID);
            for (int other : new int[] {b, c}) {
                int across = other == b ? c : b;
                for (double t : ticks[other]) {
                    double u = unit(other, t);
                    line(g, point(a, far(a), other, u, across, -1), point(a, far(a), other, u, across, 1));
                }
            }
            g.setColor(EDGE);
            g.draw(pane);
        }
    }

    /**
     * Ticks and labels on three front edges, where matplotlib puts them: x along the bottom edge
     * nearest the viewer in y, y along the bottom edge nearest in x, z up the leftmost vertical edge.
     */
    private void drawAxes(Graphics2D g) {
        double nearX = -far(0);
        double nearY = -far(1);
        double floor = far(2);
        // Leftmost vertical edge on screen.
        double zx = -1;
        double zy = -1;
        double leftmost = Double.POSITIVE_INFINITY;
        for (double x : new double[] {-1, 1}) {
            for (double y : new double[] {-1, 1}) {
                double sx = x * RIGHT[0] + y * RIGHT[1];
                if (sx < leftmost) {
                    leftmost = sx;
                    zx = x;
                    zy = y;
                }
            }
        }
        drawAxis(g, 0, new double[] {0, nearY, floor}, new double[] {0, nearY, 0});
        drawAxis(g, 1, new double[] {nearX, 0, floor}, new double[] {nearX, 0, 0});
        drawAxis(g, 2, new double[] {zx, zy, 0}, new double[] {zx, zy, 0});
    }

    /**
     * One axis: {@code edge} gives the fixed coordinates of the edge (the axis' own is replaced),
     * {@code outward} the 3-D direction in which labels move away from the box.
     */
    private void drawAxis(Graphics2D g, int axis, double[] edge, double[] outward) {
        double[] from = edge.clone();
        double[] to = edge.clone();
        from[axis] = -1;
        to[axis] = 1;
        g.setColor(EDGE);
        g.setStroke(new BasicStroke(1.2f));
        line(g, from, to);

        double dx = dot(outward, RIGHT);
        double dy = -dot(outward, UP);
        double length = Math.hypot(dx, dy);
        dx /= length;
        dy /= length;

        Font tickFont = Figures.font(Font.PLAIN, 12);
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        int decimals = decimals(ticks[axis]);
        double furthest = 0;
        for (double t : ticks[axis]) {
            double[] at = edge.clone();
            at[axis] = unit(axis, t);
            Point2D.Double p = project(at);
            g.setColor(EDGE);
            g.draw(new Line2D.Double(p.x, p.y, p.x + 5 * dx, p.y + 5 * dy));
            String text = String.format(Locale.ROOT, "%." + decimals + "f", t + 0.0); // + 0.0: no "-0"
            double w = fm.stringWidth(text);
            // Push the label's box, not its centre, clear of the tick: wide labels need more room sideways.
            double offset = 10 + Math.abs(dx) * w / 2 + Math.abs(dy) * fm.getAscent() / 2.0;
            furthest = Math.max(furthest, offset + Math.abs(dx) * w / 2 + Math.abs(dy) * fm.getAscent() / 2.0);
            g.setColor(INK);
            Figures.drawCentred(g, text, tickFont, p.x + offset * dx, p.y + offset * dy);
        }
        double[] middle = edge.clone();
        middle[axis] = 0;
        Point2D.Double m = project(middle);
        g.setColor(INK);
        Figures.drawCentred(g, AXIS_NAMES[axis], Figures.font(Font.BOLD, 15), m.x + (furthest + 14) * dx,
                m.y + (furthest + 14) * dy);
    }

    /** Decimals needed to tell the ticks apart: none for a step of 1 or more, 1 for 0.5, 2 for 0.05. */
    private static int decimals(double[] ticks) {
        if (ticks.length < 2) {
            return 2;
        }
        double step = ticks[1] - ticks[0];
        return Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    }

    private static double[] point(int a, double va, int b, double vb, int c, double vc) {
        double[] p = new double[3];
        p[a] = va;
        p[b] = vb;
        p[c] = vc;
        return p;
    }

    private void line(Graphics2D g, double[] from, double[] to) {
        Point2D.Double p = project(from);
        Point2D.Double q = project(to);
        g.draw(new Line2D.Double(p.x, p.y, q.x, q.y));
    }

    // ------------------------------------------------------------------ markers and legend

    private static void drawCross(Graphics2D g, double x, double y) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double r = 4.5;
        g.draw(new Line2D.Double(x - r, y - r, x + r, y + r));
        g.draw(new Line2D.Double(x - r, y + r, x + r, y - r));
    }

    private static void drawRing(Graphics2D g, double x, double y) {
        g.setColor(UNKNOWN);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(new java.awt.geom.Ellipse2D.Double(x - 3.5, y - 3.5, 7, 7));
    }

    /** One legend row: a marker (a label 0-9, or -1 for the cross, -2 for the ring) and a caption. */
    private record LegendRow(int marker, String caption) {
    }

    private static void drawLegend(Graphics2D g, int[] perLabel, int anomalies, int unknown, int notFinite,
                                   Font labelFont) {
        List<LegendRow> rows = new ArrayList<>();
        for (int label = 0; label < 10; label++) {
            if (perLabel[label] > 0) {
                rows.add(new LegendRow(label, "label " + label + "  (" + perLabel[label] + ")"));
            }
        }
        if (anomalies > 0) {
            rows.add(new LegendRow(-1, "anomalous  (" + anomalies + ")"));
        }
        if (unknown > 0) {
            rows.add(new LegendRow(-2, "unknown label  (" + unknown + ")"));
        }
        Font text = Figures.font(Font.PLAIN, 14);
        int rowHeight = 24;
        int x = WIDTH - LEGEND_WIDTH + 10;
        int top = TITLE_HEIGHT + 30;
        int boxHeight = rows.size() * rowHeight + 14;
        g.setColor(new Color(0xcc, 0xcc, 0xcc));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x - 10, top - 10, LEGEND_WIDTH - 20, boxHeight);
        for (int r = 0; r < rows.size(); r++) {
            LegendRow row = rows.get(r);
            double y = top + r * rowHeight + rowHeight / 2.0 - 4;
            if (row.marker() >= 0) {
                g.setColor(TAB10[row.marker()]);
                Figures.drawCentred(g, Integer.toString(row.marker()), labelFont, x + 8, y);
            } else if (row.marker() == -1) {
                drawCross(g, x + 8, y);
            } else {
                drawRing(g, x + 8, y);
            }
            drawLeft(g, row.caption(), text, x + 24, y);
        }
        if (notFinite > 0) {
            drawLeft(g, notFinite + " not finite, not drawn", Figures.font(Font.ITALIC, 12), x - 4, top + boxHeight + 8);
        }
    }

    private static void drawLeft(Graphics2D g, String s, Font font, double x, double centreY) {
        g.setFont(font);
        g.setColor(INK);
        g.drawString(s, (float) x, (float) (centreY + g.getFontMetrics().getAscent() * 0.36));
    }
}
