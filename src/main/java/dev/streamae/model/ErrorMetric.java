package dev.streamae.model;

import java.util.Locale;

/**
 * How one image's reconstruction error is measured. The seed trains with MSE; which metric
 * separates anomalies best is an empirical question (AUROC differs widely), so it is configurable.
 */
public enum ErrorMetric {
    /** Mean squared error per pixel (the seed's loss). */
    MSE,
    /** Mean absolute error per pixel. */
    MAE,
    /** Mean binary cross-entropy per pixel, reconstruction clamped to [1e-6, 1 - 1e-6]. */
    BCE;

    private static final double EPS = 1e-6;

    /** Error of one reconstruction {@code recon} of {@code input}, both of length {@code n} from offset. */
    public double of(float[] input, int inputOffset, float[] recon, int reconOffset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = input[inputOffset + i];
            double r = recon[reconOffset + i];
            switch (this) {
                case MSE -> sum += (r - x) * (r - x);
                case MAE -> sum += Math.abs(r - x);
                case BCE -> {
                    double rc = Math.min(1 - EPS, Math.max(EPS, r));
                    sum -= x * Math.log(rc) + (1 - x) * Math.log(1 - rc);
                }
            }
        }
        return sum / n;
    }

    public double of(float[] input, float[] recon) {
        if (input.length != recon.length) {
            throw new IllegalArgumentException("input has " + input.length + " values, reconstruction " + recon.length);
        }
        return of(input, 0, recon, 0, input.length);
    }

    public static ErrorMetric parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown error metric '" + name + "': use mse, mae or bce");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
