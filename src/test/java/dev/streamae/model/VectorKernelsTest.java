package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The kernels against the textbook loops they replace, on seeded random data. */
class VectorKernelsTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (2 * r.nextDouble() - 1);
        }
        return out;
    }

    @Test
    void productsMatchTheTextbookLoopsForEveryLayoutAndRaggedRowCounts() {
        int lanes = VectorKernels.LANES;
        int n = 3 * lanes;
        for (int m : new int[] {1, 3, 4, 7, 8, 13, 64}) {
            int k = 13;
            float[] a = random(m * k, m);
            float[] b = random(k * n + 5, 100 + m);
            float[] c = new float[m * n];
            VectorKernels.multiply(a, k, 1, b, 5, c, 0, m, k, n);
            // a read as the transpose of a k x m matrix: a(i, p) = at[p * m + i]
            float[] at = new float[k * m];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    at[p * m + i] = a[i * k + p];
                }
            }
            float[] ct = new float[m * n];
            VectorKernels.multiply(at, 1, m, b, 5, ct, 0, m, k, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double expected = 0;
                    float chain = 0;
                    for (int p = 0; p < k; p++) {
                        expected += a[i * k + p] * b[5 + p * n + j];
                        chain = Math.fma(a[i * k + p], b[5 + p * n + j], chain);
                    }
                    assertThat((double) c[i * n + j]).isCloseTo(expected, within(1e-5));
                    // Bitwise: one fused multiply-add per term, in order, whatever rows a pass covers.
                    assertThat(c[i * n + j]).as("c[%d][%d] of %d rows", i, j, m).isEqualTo(chain);
                    assertThat(ct[i * n + j]).isEqualTo(c[i * n + j]);
                }
            }
        }
    }

    @Test
    void transposedProductMatchesTheTextbookLoopForRaggedShapes() {
        int k = 2 * VectorKernels.LANES;
        for (int m : new int[] {1, 2, 5}) {
            for (int n : new int[] {1, 3, 4, 9}) {
                float[] a = random(m * k, m);
                float[] b = random(n * k + 7, n);
                float[] c = new float[m * n];
                VectorKernels.multiplyTransposed(a, b, 7, c, m, k, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double expected = 0;
                        for (int p = 0; p < k; p++) {
                            expected += a[i * k + p] * b[7 + j * k + p];
                        }
                        assertThat((double) c[i * n + j]).as("c[%d][%d] of %dx%d", i, j, m, n).isCloseTo(expected, within(1e-5));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorMetric.class)
    void errorsAgreeWithTheScalarMetricIncludingSaturatedPixelsAndTails(ErrorMetric metric) {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {784, 37, 5}) {
            float[] x = new float[n + 2];
            float[] y = new float[n + 1];
            for (int i = 0; i < n; i++) {
                double u = r.nextDouble();
                x[i + 2] = u < 0.4 ? 0f : u < 0.6 ? 1f : (float) r.nextDouble();
                // Reconstructions right at 0 and 1 too, which BCE must clamp.
                double w = r.nextDouble();
                y[i + 1] = w < 0.05 ? 0f : w < 0.1 ? 1f : (float) r.nextDouble();
            }
            double expected = metric.of(x, 2, y, 1, n);
            assertThat(VectorKernels.error(metric, x, 2, y, 1, n)).isCloseTo(expected, within(1e-5 * expected));
        }
    }
}
