package dev.streamae.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place with {@code \r}, such as
 * {@code epoch 3/10 [#######.....] 62%  9,400 img/s}. It draws only on a terminal
 * ({@code System.console() != null}); when output goes to a file or a pipe it stays silent and the
 * commands print plain summary lines instead. Redraws are limited to ten a second.
 */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean enabled;
    private long lastDraw;
    private int drawnLength;

    ProgressBar(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    /** A bar that draws when standard output is a terminal. */
    static ProgressBar onConsole(PrintWriter out) {
        return new ProgressBar(out, System.console() != null);
    }

    /** Redraws the bar (at most every 100 ms, and always at 100%). */
    void update(String label, long done, long total, double imagesPerSecond) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3d%%  %s img/s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), Math.round(fraction * 100), Format.count(imagesPerSecond));
        out.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
        out.flush();
        drawnLength = line.length();
    }

    /** Erases the bar so that the next line starts clean. */
    void clear() {
        if (enabled && drawnLength > 0) {
            out.print("\r" + " ".repeat(drawnLength) + "\r");
            out.flush();
            drawnLength = 0;
        }
    }
}
