package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;

/** How far apart two models' flat parameter (or optimiser) arrays are, for tests that compare engines or runs. */
public final class FloatDifferences {

    private FloatDifferences() {
    }

    /** The largest absolute difference between same-sized arrays (0 when they are equal bit for bit, NaN aside). */
    public static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
