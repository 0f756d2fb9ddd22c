package dev.streamae.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits a {@link Calibration} to a window of recent prequential errors that contains anomalies at
 * an unknown rate, so that alerting at a p-value below {@code alpha} flags about {@code alpha} of
 * the normal images however contaminated the window is.
 *
 * <p>Why not a quantile of the window: anomalies are the window's largest errors, so once they
 * are more than {@code 1 - q} of it, the {@code q}-quantile lies inside the anomalies and recall
 * collapses to about {@code (1 - q) / contamination}. The fit instead separates the two in three
 * steps, each chosen by measurement on MNIST with Fashion-MNIST anomalies ({@code streamae
 * evaluate}):
 * <ol>
 *   <li><b>Drift.</b> The model keeps learning, so older errors overstate what normal images cost
 *       now. The window is cut into {@link Settings#chunks} consecutive chunks and each is scaled
 *       to the newest chunk's median (a median is indifferent to a few percent of anomalies).
 *       With this, a 10,000-error window calibrates like a 2,000-error one that has no drift.</li>
 *   <li><b>Where anomalies begin.</b> The normal upper tail is modelled as exponential above a
 *       high quantile {@code u} (peaks over threshold, the Gumbel case of Pickands' theorem, as in
 *       SPOT: Siffer et al., KDD 2017), fitted by maximum likelihood only to the errors below a
 *       cut {@code c}, with the likelihood truncated at {@code c} so that what lies above (the
 *       anomalies, and a known sliver of normal images) does not bias it. {@code c} is then moved
 *       to where this tail leaves {@link Settings#trimFactor} {@code x alpha} of the normal mass,
 *       and the fit repeated until {@code c} settles, starting low (in the normal body) so that
 *       it settles below the anomalies. Above {@code c} everything is taken for an anomaly.</li>
 *   <li><b>The threshold itself</b> comes from the errors below {@code c}, not from the tail
 *       model: it is their empirical quantile with {@code (1 - trimFactor) alpha} of the normal
 *       count above it. Measured on normal images, the exponential tail overstates the far tail
 *       (false-alarm rate 0.4-0.6x the target), while the empirical quantile is unbiased; the
 *       model is only trusted for the small mass above {@code c}.</li>
 * </ol>
 * The normal count is the errors below {@code c} plus the modelled mass above it; the rest of the
 * window is the contamination estimate. Anomalies whose errors fall between the threshold and
 * {@code c} are counted as normal, so the estimate is a lower bound and the threshold errs on the
 * side of fewer alerts.
 */
public final class CalibrationFit {

    /**
     * @param falseAlarmRate the fraction of normal images the threshold should flag
     * @param trimFactor errors whose modelled normal survival is below this times the rate are taken for anomalies
     * @param tailFraction the exponential tail is fitted to this top fraction of the errors below the cut
     * @param chunks chunks of the window scaled to the newest one's median (1: no scaling)
     * @param knots survival levels stored in the calibration
     */
    public record Settings(double falseAlarmRate, double trimFactor, double tailFraction, int chunks, int knots) {

        public Settings {
            require(falseAlarmRate > 0 && falseAlarmRate < 0.5, "false-alarm rate must be in (0, 0.5), got " + falseAlarmRate);
            require(trimFactor > 0 && trimFactor < 1, "trim factor must be in (0, 1), got " + trimFactor);
            require(tailFraction > 0 && tailFraction < 1, "tail fraction must be in (0, 1), got " + tailFraction);
            require(chunks >= 1, "chunks must be at least 1, got " + chunks);
            require(knots >= 4 && knots <= Calibration.MAX_KNOTS, "knots must be in [4, " + Calibration.MAX_KNOTS + "], got " + knots);
        }

        /** The measured defaults for a false-alarm rate. */
        public static Settings forRate(double falseAlarmRate) {
            return new Settings(falseAlarmRate, 0.25, 0.1, 8, 48);
        }
    }

    /** The measured defaults: the mixture fit above the window's 0.75 quantile, 8 chunks, 48 knots. */
    public static Calibration fit(double[] errorsOldestFirst, double falseAlarmRate) {
        return fitMixture(errorsOldestFirst, falseAlarmRate, 0.75, 8, 48);
    }

    /** Fewer errors than this cannot place a tail: no calibration yet. */
    public static final int MIN_ERRORS = 200;
    /** Fewest errors the exponential tail is fitted to. */
    private static final int MIN_TAIL = 20;
    private static final int MAX_ITERATIONS = 100;

    private CalibrationFit() {
    }

    /**
     * Fits a calibration to {@code errorsOldestFirst}.
     *
     * @throws IllegalArgumentException with fewer than {@link #MIN_ERRORS} errors or a non-finite one
     */
    public static Calibration fit(double[] errorsOldestFirst, Settings settings) {
        int n = errorsOldestFirst.length;
        if (n < MIN_ERRORS) {
            throw new IllegalArgumentException("a calibration needs at least " + MIN_ERRORS + " errors, got " + n);
        }
        double[] sorted = normalised(errorsOldestFirst, settings.chunks());
        Arrays.sort(sorted);
        if (!(sorted[0] >= 0) || !Double.isFinite(sorted[n - 1])) {
            throw new IllegalArgumentException("errors must be finite and non-negative");
        }
        double alpha = settings.falseAlarmRate();
        double cutMass = settings.trimFactor() * alpha;
        Tail tail = fitCut(sorted, cutMass, settings.tailFraction());
        int kept = countAtMost(sorted, tail.cut());
        double normal = kept / (1 - cutMass);
        double contamination = Math.max(0, Math.min(1, 1 - normal / n));

        // Knots at survival levels from 1 down towards the cut's, geometrically spaced, plus the rate
        // itself (so that the threshold at the configured rate is exact); the cut is the last knot.
        List<Double> levels = new ArrayList<>();
        double ratio = Math.pow(cutMass, 1.0 / (settings.knots() - 2));
        for (int j = 0; j < settings.knots() - 2; j++) {
            levels.add(Math.pow(ratio, j));
        }
        levels.add(alpha);
        levels.sort((a, b) -> Double.compare(b, a));
        double[] errors = new double[levels.size() + 1];
        double[] logSurvival = new double[levels.size() + 1];
        int m = 0;
        for (double level : levels) {
            // The error with (level - cutMass) * normal of the kept errors at or above it.
            double above = Math.max(0, (level - cutMass) * normal);
            double e = orderStatistic(sorted, kept, kept - above);
            if (m == 0 || (e > errors[m - 1] && Math.log(level) < logSurvival[m - 1])) {
                errors[m] = e;
                logSurvival[m] = Math.log(level);
                m++;
            }
        }
        if (tail.cut() > errors[m - 1]) {
            errors[m] = tail.cut();
            logSurvival[m] = Math.log(cutMass);
            m++;
        }
        return new Calibration(Arrays.copyOf(errors, m), Arrays.copyOf(logSurvival, m), tail.scale(), contamination, n);
    }

    /**
     * The mixture fit: above the window's {@code tailFrom} quantile {@code u}, the excesses are a
     * mixture of two exponentials, the normal tail (light) and the anomalies (heavy); an EM fit
     * gives each its share. The threshold and the knots are then empirical: the error with
     * {@code level * normal} errors above it once the expected number of anomalies above it is
     * taken away.
     */
    public static Calibration fitMixture(double[] errorsOldestFirst, double falseAlarmRate, double tailFrom, int chunks,
                                         int knotCount) {
        int n = errorsOldestFirst.length;
        if (n < MIN_ERRORS) {
            throw new IllegalArgumentException("a calibration needs at least " + MIN_ERRORS + " errors, got " + n);
        }
        double[] sorted = normalised(errorsOldestFirst, chunks);
        Arrays.sort(sorted);
        double u = quantile(sorted, n, tailFrom);
        int start = countAtMost(sorted, u);
        int peaks = n - start;
        Mixture mix = Mixture.fit(sorted, start, u);
        double anomalies = (1 - mix.normalShare()) * peaks;
        double normal = n - anomalies;
        double contamination = anomalies / n;
        double lowest = Math.max(5 / normal, 1e-9);
        List<Double> levels = new ArrayList<>();
        double ratio = Math.pow(lowest, 1.0 / (knotCount - 2));
        for (int j = 0; j < knotCount - 1; j++) {
            levels.add(Math.pow(ratio, j));
        }
        if (falseAlarmRate > lowest) {
            levels.add(falseAlarmRate);
        }
        levels.sort((a, b) -> Double.compare(b, a));
        // Scan down from the largest error: g = errors at or above x minus the anomalies expected there.
        double[] knotErrors = new double[levels.size()];
        double[] knotLog = new double[levels.size()];
        int m = 0;
        int li = levels.size() - 1;  // smallest level first
        double best = Double.NEGATIVE_INFINITY;
        double prevG = 0;
        double prevX = sorted[n - 1];
        for (int i = n - 1; i >= 0 && li >= 0; i--) {
            double x = sorted[i];
            // Capped by the normal component's own count: where it expects (almost) no normal
            // image, the errors are anomalies even if the anomaly component's tail is too light.
            double g = Math.max(prevG, Math.min((n - i) - mix.anomaliesAtOrAbove(x, anomalies, u),
                    mix.normalAtOrAbove(x, normal - start, u, start)));
            while (li >= 0 && g >= levels.get(li) * normal) {
                double target = levels.get(li) * normal;
                double f = g == prevG ? 1 : (target - prevG) / (g - prevG);
                double e = prevX + f * (x - prevX);
                knotErrors[m] = e;
                knotLog[m] = Math.log(levels.get(li));
                m++;
                li--;
            }
            prevG = g;
            prevX = x;
        }
        // Knots were found from the smallest level up: reverse into increasing error, dropping ties.
        double[] errors = new double[m];
        double[] logSurvival = new double[m];
        int k = 0;
        for (int j = m - 1; j >= 0; j--) {
            if (k == 0 || (knotErrors[j] > errors[k - 1] && knotLog[j] < logSurvival[k - 1])) {
                errors[k] = knotErrors[j];
                logSurvival[k] = knotLog[j];
                k++;
            }
        }
        if (k < 2) {
            // (Almost) every error the same: everything above it is unusual.
            double x = k == 0 ? sorted[n - 1] : errors[0];
            double step = Math.max(Math.ulp(x) * 16, Math.abs(x) * 1e-9 + 1e-12);
            return new Calibration(new double[] {x, x + step}, new double[] {0, Math.log(lowest)}, step, contamination, n);
        }
        double scale = mix.normalScale() > 0 && Double.isFinite(mix.normalScale()) ? mix.normalScale()
                : Math.max(1e-12, (errors[k - 1] - errors[0]) / 10);
        return new Calibration(Arrays.copyOf(errors, k), Arrays.copyOf(logSurvival, k), scale, contamination, n);
    }

    /** Two exponentials on the excesses over {@code u}: a normal share with a light scale and anomalies with a heavy one. */
    record Mixture(double normalShare, double normalScale, double anomalyScale) {

        double normalAtOrAbove(double x, double normalAboveU, double u, int below) {
            return x <= u ? Double.POSITIVE_INFINITY : normalAboveU * Math.exp(-(x - u) / normalScale);
        }

        double anomaliesAtOrAbove(double x, double anomalies, double u) {
            return x <= u ? anomalies : anomalies * Math.exp(-(x - u) / anomalyScale);
        }

        /** EM from a light/heavy start; collapses to one exponential when the data show no heavy part. */
        static Mixture fit(double[] sorted, int start, double u) {
            int k = sorted.length - start;
            double mean = 0;
            for (int i = start; i < sorted.length; i++) {
                mean += sorted[i] - u;
            }
            mean /= Math.max(1, k);
            if (k < MIN_TAIL || !(mean > 0)) {
                return new Mixture(1, mean > 0 ? mean : 1e-12, mean > 0 ? mean : 1e-12);
            }
            double lowMean = 0;
            for (int i = start; i < start + k / 2; i++) {
                lowMean += sorted[i] - u;
            }
            double s1 = Math.max(2 * lowMean / Math.max(1, k / 2), mean * 0.1);
            double highMean = 0;
            int top = Math.max(1, k / 10);
            for (int i = sorted.length - top; i < sorted.length; i++) {
                highMean += sorted[i] - u;
            }
            double s2 = Math.max(highMean / top, 2 * s1);
            double w = 0.9;
            for (int iteration = 0; iteration < 500; iteration++) {
                double r1 = 0;
                double y1 = 0;
                double y2 = 0;
                for (int i = start; i < sorted.length; i++) {
                    double y = sorted[i] - u;
                    double p1 = w / s1 * Math.exp(-y / s1);
                    double p2 = (1 - w) / s2 * Math.exp(-y / s2);
                    double r = p1 + p2 > 0 ? p1 / (p1 + p2) : 1;
                    r1 += r;
                    y1 += r * y;
                    y2 += (1 - r) * y;
                }
                double nw = r1 / k;
                double ns1 = y1 / Math.max(r1, 1e-12);
                double ns2 = y2 / Math.max(k - r1, 1e-12);
                boolean settled = Math.abs(nw - w) < 1e-9 && Math.abs(ns1 - s1) < 1e-12 * s1 + 1e-15;
                w = nw;
                s1 = ns1;
                s2 = ns2;
                if (w > 0.999 || s2 < 1.05 * s1 || settled) {
                    break;
                }
            }
            if (w > 0.999 || s2 < 1.05 * s1) {
                return new Mixture(1, mean, mean);
            }
            return new Mixture(w, s1, s2);
        }
    }

    /** The value at (1-based, fractional) rank {@code rank} among the first {@code count} sorted values. */
    private static double orderStatistic(double[] sorted, int count, double rank) {
        double position = Math.max(0, Math.min(count - 1, rank - 1));
        int lo = (int) Math.floor(position);
        int hi = Math.min(count - 1, lo + 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * Each error scaled by (newest chunk's median / its chunk's median): the model improves while the
     * window fills, and the newest chunk is what "normal" costs now.
     */
    static double[] normalised(double[] errorsOldestFirst, int chunks) {
        int n = errorsOldestFirst.length;
        double[] out = errorsOldestFirst.clone();
        int size = Math.max(1, (n + chunks - 1) / chunks);
        if (chunks == 1 || n < 2 * size) {
            return out;
        }
        // Chunks end at the newest error, so the newest chunk is always full.
        double newest = median(errorsOldestFirst, n - size, n);
        if (!(newest > 0)) {
            return out;
        }
        for (int end = n; end > 0; end -= size) {
            int start = Math.max(0, end - size);
            double m = median(errorsOldestFirst, start, end);
            if (m > 0) {
                double scale = newest / m;
                for (int i = start; i < end; i++) {
                    out[i] *= scale;
                }
            }
        }
        return out;
    }

    private static double median(double[] values, int from, int to) {
        double[] part = Arrays.copyOfRange(values, from, to);
        Arrays.sort(part);
        int k = part.length;
        return k % 2 == 1 ? part[k / 2] : (part[k / 2 - 1] + part[k / 2]) / 2;
    }

    /** The cut above which the exponential tail leaves {@code cutMass} of the normal mass, and its scale. */
    record Tail(double cut, double scale) {
    }

    /**
     * The fixed point of: fit the exponential to the top {@code tailFraction} of the errors at or
     * below {@code cut} (likelihood truncated at the cut), then move the cut to where the fitted
     * tail leaves {@code cutMass} of the normal mass. Starts in the body, at the median plus twice
     * its distance to the lower quartile, so that it climbs to the lowest fixed point, the one
     * below the anomalies.
     */
    static Tail fitCut(double[] sorted, double cutMass, double tailFraction) {
        int n = sorted.length;
        double median = quantile(sorted, n, 0.5);
        double cut = median + 2 * (median - quantile(sorted, n, 0.25));
        double scale = Double.NaN;
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            int below = countAtMost(sorted, cut);
            double u = quantile(sorted, below, 1 - tailFraction);
            int start = countAtMost(sorted, u);
            int peaks = below - start;
            if (peaks < MIN_TAIL) {
                // Too few errors between the quantile and the cut (a window of near-identical errors).
                start = Math.max(0, below - MIN_TAIL);
                u = start == 0 ? 0 : sorted[start - 1];
                peaks = below - start;
            }
            double sum = 0;
            for (int i = start; i < below; i++) {
                sum += sorted[i] - u;
            }
            double width = cut - u;
            if (!(width > 0) || sum <= 0) {
                // Every error at the cut or the tail empty: the window holds (almost) one value.
                double s = Math.max(Math.ulp(Math.max(cut, 1e-300)), Math.abs(cut) * 1e-6);
                return new Tail(cut + s * Math.log(1 / cutMass), s);
            }
            scale = truncatedExponentialScale(sum / peaks, width);
            double inRange = -Math.expm1(-width / scale);
            double normalAboveU = peaks / inRange;
            double normal = start + normalAboveU;
            double survivalFromU = cutMass * normal / normalAboveU;
            double next = survivalFromU >= 1 ? u : u - scale * Math.log(survivalFromU);
            if (Math.abs(next - cut) <= 1e-9 * Math.max(1e-12, Math.abs(cut))) {
                cut = next;
                break;
            }
            cut = next;
        }
        return new Tail(cut, scale);
    }

    /**
     * Maximum-likelihood scale of an exponential truncated to [0, width] whose sample mean is
     * {@code mean}: the mean of such a distribution, {@code s - width / (e^(width/s) - 1)}, rises
     * with {@code s} from 0 towards {@code width / 2}, so bisection finds it. A mean at or above
     * {@code width / 2} (flat, or rising density) has no finite maximum: a scale of 1,000 widths,
     * which is flat over the range.
     */
    static double truncatedExponentialScale(double mean, double width) {
        if (mean >= width / 2 * (1 - 1e-9)) {
            return 1000 * width;
        }
        double lo = width * 1e-9;
        double hi = width * 1000;
        for (int i = 0; i < 200; i++) {
            double mid = Math.sqrt(lo * hi);
            double x = width / mid;
            double meanAt = x > 700 ? mid : mid - width / Math.expm1(x);
            if (meanAt < mean) {
                lo = mid;
            } else {
                hi = mid;
            }
            if (hi / lo < 1 + 1e-12) {
                break;
            }
        }
        return Math.sqrt(lo * hi);
    }

    /** Values at or below {@code x} in a sorted array. */
    static int countAtMost(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Type-7 quantile of the first {@code count} sorted values. */
    static double quantile(double[] sorted, int count, double q) {
        if (count <= 0) {
            return sorted[0];
        }
        double h = (count - 1) * q;
        int lo = (int) Math.floor(h);
        return lo >= count - 1 ? sorted[count - 1] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
