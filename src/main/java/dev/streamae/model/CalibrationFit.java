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
 * steps, each chosen by measurement ({@code streamae evaluate}, MNIST with Fashion-MNIST anomalies
 * at 0-10%; docs/alerts.md gives the figures of the alternatives tried):
 * <ol>
 *   <li><b>Drift.</b> The model keeps learning, so older errors overstate what normal images cost
 *       now. The window is cut into {@value #CHUNKS} consecutive chunks and each is scaled to the
 *       newest chunk's median (a median is indifferent to a few percent of anomalies). With this,
 *       a 10,000-error window calibrates like a 2,000-error one that has no drift.</li>
 *   <li><b>How many anomalies, and where.</b> Above the window's {@value #TAIL_FROM} quantile
 *       {@code u}, the excesses are a mixture of two exponentials fitted by EM: a light one, the
 *       normal images' tail (the Gumbel case of peaks over threshold, as in SPOT: Siffer et al.,
 *       KDD 2017), and a heavy one, the anomalies. Normal tails get lighter as they go (their
 *       hazard rises), which two exponentials cannot mimic, so without anomalies the fit collapses
 *       to one exponential and finds none; anomalies make the tail heavier than the body, which is
 *       what the heavy component takes. The heavy component also takes some of the normal
 *       shoulder just above {@code u}, so the anomalies are counted from the data above the point
 *       where the two densities cross (less the normal images expected there), and their density
 *       is continued flat below it rather than rising towards {@code u}: anomalies do not pile up
 *       at the normal images' typical errors. As fitted, the heavy component alerted on 2.2x the
 *       target rate of normal images at 10% contamination; counted and continued this way, 0.9-1.2x.</li>
 *   <li><b>The threshold itself</b> is empirical, not the tail model's: the error with
 *       {@code alpha} of the estimated normal count above it once the anomalies the mixture
 *       expects above it are taken away. On normal images alone the exponential tail overstates
 *       the far tail (0.4-0.6x the target rate), while this is a plain quantile. Where the normal
 *       component expects no normal image at all, what remains is taken for anomalies even if
 *       the anomaly component's tail is too light for them.</li>
 * </ol>
 * The p-value of an error is the same count at that error, divided by the normal count, stored as
 * knots at survival levels from 1 down to about 5 normal images, with the normal component's
 * exponential tail beyond: rates below 1/window extrapolate there.
 */
public final class CalibrationFit {

    /** Fewer errors than this cannot place a tail: no calibration yet. */
    public static final int MIN_ERRORS = 200;
    /** The mixture is fitted to the errors above this quantile of the window. */
    static final double TAIL_FROM = 0.7;
    /** Chunks of the window scaled to the newest one's median. */
    static final int CHUNKS = 8;
    /** Survival levels stored in a calibration. */
    static final int KNOTS = 48;
    /** The lowest knot has this many estimated normal images at or above it. */
    private static final double LOWEST_KNOT_IMAGES = 5;
    /** Fewest errors above {@code u} the mixture is fitted to; fewer and the tail is one exponential. */
    private static final int MIN_TAIL = 20;
    private static final int MAX_EM_ITERATIONS = 500;

    private CalibrationFit() {
    }

    /**
     * Fits a calibration to {@code errorsOldestFirst}, with a knot exactly at {@code falseAlarmRate}
     * so that the threshold at the configured rate is the empirical one.
     *
     * @throws IllegalArgumentException with fewer than {@link #MIN_ERRORS} errors, or a negative or non-finite one
     */
    public static Calibration fit(double[] errorsOldestFirst, double falseAlarmRate) {
        int n = errorsOldestFirst.length;
        if (n < MIN_ERRORS) {
            throw new IllegalArgumentException("a calibration needs at least " + MIN_ERRORS + " errors, got " + n);
        }
        double[] sorted = normalised(errorsOldestFirst, CHUNKS);
        Arrays.sort(sorted);
        if (!(sorted[0] >= 0) || !Double.isFinite(sorted[n - 1])) {
            throw new IllegalArgumentException("errors must be finite and non-negative");
        }
        double u = quantile(sorted, n, TAIL_FROM);
        int below = countAtMost(sorted, u);
        Mixture mix = Mixture.fit(sorted, below, u);
        double anomalies = mix.anomaliesAtOrAbove(u);
        double normal = n - anomalies;
        double lowest = Math.min(0.5, LOWEST_KNOT_IMAGES / normal);
        List<Double> levels = new ArrayList<>();
        double ratio = Math.pow(lowest, 1.0 / (KNOTS - 2));
        for (int j = 0; j < KNOTS - 1; j++) {
            levels.add(Math.pow(ratio, j));
        }
        if (falseAlarmRate > lowest && falseAlarmRate < 1) {
            levels.add(falseAlarmRate);
        }
        levels.sort(Double::compare);  // smallest first: the scan below goes down from the largest error
        double[] knotErrors = new double[levels.size()];
        double[] knotLog = new double[levels.size()];
        int m = 0;
        int level = 0;
        double prevCount = 0;
        double prevX = sorted[n - 1];
        for (int i = n - 1; i >= 0 && level < levels.size(); i--) {
            double x = sorted[i];
            // Normal images at or above x: the errors there minus the anomalies expected there, at
            // most what the normal component itself expects (beyond it, what is left is anomalous).
            double count = Math.max(prevCount, Math.min((n - i) - mix.anomaliesAtOrAbove(x), mix.normalAtOrAbove(x)));
            while (level < levels.size() && count >= levels.get(level) * normal) {
                double target = levels.get(level) * normal;
                double f = count == prevCount ? 1 : (target - prevCount) / (count - prevCount);
                knotErrors[m] = prevX + f * (x - prevX);
                knotLog[m] = Math.log(levels.get(level));
                m++;
                level++;
            }
            prevCount = count;
            prevX = x;
        }
        // Found from the smallest level up: reverse into increasing errors, dropping ties.
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
        double contamination = Math.max(0, Math.min(1, anomalies / n));
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

    /**
     * The excesses over {@code u}: a share {@code normalShare} of normal images (exponential, scale
     * {@code normalScale}) and the rest anomalies (exponential, scale {@code anomalyScale}, continued
     * flat below the crossing of the two densities).
     *
     * @param peaks how many errors lie above {@code u}
     */
    record Mixture(double u, int peaks, double normalShare, double normalScale, double anomalyScale,
                   double anomaliesAboveCrossing) {

        /** The excess above {@code u} from which anomalies are at least as dense as normal images. */
        static double crossing(double w, double s1, double s2) {
            // w/s1 e^{-y/s1} = (1-w)/s2 e^{-y/s2}  <=>  y = ln(w s2 / ((1-w) s1)) / (1/s1 - 1/s2)
            return Math.max(0, Math.log(w * s2 / ((1 - w) * s1)) / (1 / s1 - 1 / s2));
        }

        double crossing() {
            return normalShare >= 1 ? 0 : crossing(normalShare, normalScale, anomalyScale);
        }

        /**
         * Anomalies expected at or above error {@code x}: above the crossing, the count the data show
         * there (less the normal images the normal component expects) thinning out at the anomaly
         * component's rate; below it, the density at the crossing, continued flat.
         */
        double anomaliesAtOrAbove(double x) {
            if (normalShare >= 1) {
                return 0;
            }
            double crossing = crossing();
            double y = Math.max(0, x - u);
            return y >= crossing ? anomaliesAboveCrossing * Math.exp(-(y - crossing) / anomalyScale)
                    : anomaliesAboveCrossing * (1 + (crossing - y) / anomalyScale);
        }

        /**
         * Normal images expected at or above {@code x} (unbounded below {@code u}): those above {@code u}
         * (the excesses less the anomalies), thinning out at the normal component's rate.
         */
        double normalAtOrAbove(double x) {
            return x <= u ? Double.POSITIVE_INFINITY : (peaks - anomaliesAtOrAbove(u)) * Math.exp(-(x - u) / normalScale);
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
                double scale = mean > 0 ? mean : 1e-12;
                return new Mixture(u, k, 1, scale, scale, 0);
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
            for (int iteration = 0; iteration < MAX_EM_ITERATIONS; iteration++) {
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
                return new Mixture(u, k, 1, mean, mean, 0);
            }
            // Above the crossing the anomalies dominate: count them there rather than trust the
            // component's total, which also took in the normal shoulder just above u. The normal
            // images expected there are those above u (the excesses less all anomalies, the ones
            // below the crossing continued flat) thinned out at the normal rate; solved for the count:
            // anchored = above - (k - anchored (1 + crossing / s2)) e^(-crossing / s1).
            double crossing = crossing(w, s1, s2);
            if (!(crossing > 0)) {
                // The heavy component is denser than the light one right from u: it is the bulk of
                // the tail, not a few anomalies (a young model's errors have such a two-scale tail
                // with no anomaly at all), and the count below would divide 0 by 0.
                return new Mixture(u, k, 1, mean, mean, 0);
            }
            int above = sorted.length - countBelow(sorted, u + crossing);
            double thin = Math.exp(-crossing / s1);
            double anchored = Math.max(0, (above - k * thin) / (1 - (1 + crossing / s2) * thin));
            return new Mixture(u, k, w, s1, s2, anchored);
        }
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

    /** Values below {@code x} in a sorted array. */
    static int countBelow(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
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
}
