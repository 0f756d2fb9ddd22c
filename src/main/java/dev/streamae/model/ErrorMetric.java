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

    /**
     * Error of one reconstruction {@code recon} of {@code input}, both of length {@code n} from offset.
     *
     * <p>One loop per metric rather than a switch per pixel. For BCE, a pixel that is exactly 0 or 1
     * (most of an MNIST digit) needs only one of the two logarithms: the other term is multiplied by
     * exactly zero, so skipping it changes no bit of the result and halves the work, which is a
     * sizeable part of scoring and of a training step.
     */
    public double of(float[] input, int inputOffset, float[] recon, int reconOffset, int n) {
        double sum = 0;
        switch (this) {
            case MSE -> {
                for (int i = 0; i < n; i++) {
                    double d = (double) recon[reconOffset + i] - input[inputOffset + i];
                    sum += d * d;
                }
            }
            case MAE -> {
                for (int i = 0; i < n; i++) {
                    sum += Math.abs((double) recon[reconOffset + i] - input[inputOffset + i]);
                }
            }
            case BCE -> {
                for (int i = 0; i < n; i++) {
                    double x = input[inputOffset + i];
                    double rc = Math.min(1 - EPS, Math.max(EPS, recon[reconOffset + i]));
                    if (x == 0) {
                        sum -= Math.log(1 - rc);
                    } else if (x == 1) {
                        sum -= Math.log(rc);
                    } else {
                        sum -= x * Math.log(rc) + (1 - x) * Math.log(1 - rc);
                    }
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
