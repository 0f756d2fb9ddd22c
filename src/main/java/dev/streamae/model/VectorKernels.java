package dev.streamae.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dense float32 arithmetic of {@link VectorAutoencoder}: matrix products, activations and
 * Adam, on plain row-major Java arrays, written with the JDK's Vector API so that the JIT compiler
 * emits the machine's widest SIMD instructions (AVX-512 on the development machine: 16 floats per
 * instruction, about 40 GFLOP/s on one core for a 64 x 784 x 128 product, against about
 * 4 GFLOP/s for the same loops in scalar Java; tanh and exp run on the JDK's vector math
 * intrinsics at about 0.5 ns per element against 40 ns for {@code Math.tanh}).
 *
 * <p>Why by hand: the network is small (784-128-64-12-3 and back), so a training step is some 40
 * small operations, and per-operation overhead rather than arithmetic dominates a step of a
 * general-purpose engine (ND4J pays about 0.5 ms per network call whatever the batch size). Fused
 * loops over preallocated arrays pay none of it and allocate nothing per step.
 *
 * <p>Every row length handed to these kernels is a multiple of {@link #LANES}: the caller pads
 * layer widths with zeros (exact, see {@link VectorAutoencoder}). Masked loads and stores, the
 * alternative for ragged tails, are not compiled to masked instructions by JDK 17 and run about ten
 * times slower than full ones.
 */
final class VectorKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register. */
    static final int LANES = SPECIES.length();
    private static final int L = LANES;
    /** {@link ErrorMetric#BCE}'s clamp of the reconstruction. */
    private static final float BCE_CLAMP = 1e-6f;
    /**
     * Whether {@link #eightRows} fits the registers: its 16 accumulators, two weight vectors and a
     * broadcast need the 32 vector registers of AVX-512; AVX2 has 16 and would spill them.
     */
    private static final boolean EIGHT_ROWS = SPECIES.vectorBitSize() >= 512;

    private VectorKernels() {
    }

    /** Activation functions of the network's layers. */
    enum Activation { IDENTITY, TANH, SIGMOID }

    /** {@code size} rounded up to a multiple of {@link #LANES}. */
    static int padded(int size) {
        return (size + L - 1) / L * L;
    }

    /**
     * {@code c[cOff + i*n + j] = sum over p < k of a(i, p) * b[bOff + p*n + j]} for {@code i < m},
     * {@code j < n}, where {@code a(i, p) = a[i*aRow + p*aCol]}: {@code aRow = k, aCol = 1} reads
     * {@code a} as a row-major {@code m x k} matrix, {@code aRow = 1, aCol = m} as the transpose of
     * a row-major {@code k x m} matrix. Overwrites {@code c}; {@code n} is a multiple of {@link #LANES}.
     */
    static void multiply(float[] a, int aRow, int aCol, float[] b, int bOff, float[] c, int cOff,
            int m, int k, int n) {
        // Blocks of eight rows, then of four, the last one padded by repeating its final row (its
        // results are not stored): a batch of 1-3 images then reads the weights once rather than
        // once per image, which is what a scorer at a moderate rate spends its time on. Eight rows
        // per pass rather than four only: offline inference 112,000-118,000 -> 148,000-150,000
        // images/s, training 49,000 -> 55,000 (bench --only offline, twice each, alternating).
        int i = 0;
        for (; EIGHT_ROWS && i + 8 <= m; i += 8) {
            eightRows(a, i * aRow, aRow, aCol, b, bOff, c, cOff + i * n, k, n);
        }
        for (; i < m; i += 4) {
            fourRows(a, i * aRow, aRow, aCol, Math.min(4, m - i), b, bOff, c, cOff + i * n, k, n, 0);
        }
    }

    /**
     * Eight whole rows per pass over the weights: each weight vector loaded serves eight rows
     * instead of four (16 accumulators of the 32 AVX-512 registers). Each result is the same
     * chain of fused multiply-adds over {@code p} as in {@link #fourRows}, so the results are
     * bitwise the same.
     */
    private static void eightRows(float[] a, int a0, int aRow, int aCol, float[] b, int bOff, float[] c, int c0,
            int k, int n) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector c00 = FloatVector.zero(SPECIES);
            FloatVector c01 = c00;
            FloatVector c10 = c00;
            FloatVector c11 = c00;
            FloatVector c20 = c00;
            FloatVector c21 = c00;
            FloatVector c30 = c00;
            FloatVector c31 = c00;
            FloatVector c40 = c00;
            FloatVector c41 = c00;
            FloatVector c50 = c00;
            FloatVector c51 = c00;
            FloatVector c60 = c00;
            FloatVector c61 = c00;
            FloatVector c70 = c00;
            FloatVector c71 = c00;
            for (int p = 0, bp = bOff + j, ap = a0; p < k; p++, bp += n, ap += aCol) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
                FloatVector v = FloatVector.broadcast(SPECIES, a[ap]);
                c00 = v.fma(b0, c00);
                c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(SPECIES, a[ap + aRow]);
                c10 = v.fma(b0, c10);
                c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(SPECIES, a[ap + 2 * aRow]);
                c20 = v.fma(b0, c20);
                c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(SPECIES, a[ap + 3 * aRow]);
                c30 = v.fma(b0, c30);
                c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(SPECIES, a[ap + 4 * aRow]);
                c40 = v.fma(b0, c40);
                c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(SPECIES, a[ap + 5 * aRow]);
                c50 = v.fma(b0, c50);
                c51 = v.fma(b1, c51);
                v = FloatVector.broadcast(SPECIES, a[ap + 6 * aRow]);
                c60 = v.fma(b0, c60);
                c61 = v.fma(b1, c61);
                v = FloatVector.broadcast(SPECIES, a[ap + 7 * aRow]);
                c70 = v.fma(b0, c70);
                c71 = v.fma(b1, c71);
            }
            int cj = c0 + j;
            c00.intoArray(c, cj);
            c01.intoArray(c, cj + L);
            c10.intoArray(c, cj + n);
            c11.intoArray(c, cj + n + L);
            c20.intoArray(c, cj + 2 * n);
            c21.intoArray(c, cj + 2 * n + L);
            c30.intoArray(c, cj + 3 * n);
            c31.intoArray(c, cj + 3 * n + L);
            c40.intoArray(c, cj + 4 * n);
            c41.intoArray(c, cj + 4 * n + L);
            c50.intoArray(c, cj + 5 * n);
            c51.intoArray(c, cj + 5 * n + L);
            c60.intoArray(c, cj + 6 * n);
            c61.intoArray(c, cj + 6 * n + L);
            c70.intoArray(c, cj + 7 * n);
            c71.intoArray(c, cj + 7 * n + L);
        }
        if (j < n) {
            // The last single vector of columns: two passes of four rows.
            fourRows(a, a0, aRow, aCol, 4, b, bOff, c, c0, k, n, j);
            fourRows(a, a0 + 4 * aRow, aRow, aCol, 4, b, bOff, c, c0 + 4 * n, k, n, j);
        }
    }

    /** Rows {@code a0..} (up to four) of the product, columns from {@code jFrom} on. */
    private static void fourRows(float[] a, int a0, int aRow, int aCol, int rows, float[] b, int bOff, float[] c,
            int c0, int k, int n, int jFrom) {
        int a1 = a0 + Math.min(1, rows - 1) * aRow;
        int a2 = a0 + Math.min(2, rows - 1) * aRow;
        int a3 = a0 + (rows - 1) * aRow;
        int j = jFrom;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector c00 = FloatVector.zero(SPECIES);
            FloatVector c01 = c00;
            FloatVector c10 = c00;
            FloatVector c11 = c00;
            FloatVector c20 = c00;
            FloatVector c21 = c00;
            FloatVector c30 = c00;
            FloatVector c31 = c00;
            for (int p = 0, bp = bOff + j, ap = 0; p < k; p++, bp += n, ap += aCol) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
                FloatVector v = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                c00 = v.fma(b0, c00);
                c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                c10 = v.fma(b0, c10);
                c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                c20 = v.fma(b0, c20);
                c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                c30 = v.fma(b0, c30);
                c31 = v.fma(b1, c31);
            }
            int cj = c0 + j;
            c00.intoArray(c, cj);
            c01.intoArray(c, cj + L);
            if (rows > 1) {
                c10.intoArray(c, cj + n);
                c11.intoArray(c, cj + n + L);
            }
            if (rows > 2) {
                c20.intoArray(c, cj + 2 * n);
                c21.intoArray(c, cj + 2 * n + L);
            }
            if (rows > 3) {
                c30.intoArray(c, cj + 3 * n);
                c31.intoArray(c, cj + 3 * n + L);
            }
        }
        if (j < n) {
            FloatVector c0v = FloatVector.zero(SPECIES);
            FloatVector c1v = c0v;
            FloatVector c2v = c0v;
            FloatVector c3v = c0v;
            for (int p = 0, bp = bOff + j, ap = 0; p < k; p++, bp += n, ap += aCol) {
                FloatVector bv = FloatVector.fromArray(SPECIES, b, bp);
                c0v = FloatVector.broadcast(SPECIES, a[a0 + ap]).fma(bv, c0v);
                c1v = FloatVector.broadcast(SPECIES, a[a1 + ap]).fma(bv, c1v);
                c2v = FloatVector.broadcast(SPECIES, a[a2 + ap]).fma(bv, c2v);
                c3v = FloatVector.broadcast(SPECIES, a[a3 + ap]).fma(bv, c3v);
            }
            int cj = c0 + j;
            c0v.intoArray(c, cj);
            if (rows > 1) {
                c1v.intoArray(c, cj + n);
            }
            if (rows > 2) {
                c2v.intoArray(c, cj + 2 * n);
            }
            if (rows > 3) {
                c3v.intoArray(c, cj + 3 * n);
            }
        }
    }


    /**
     * {@code c[i*n + j] = sum over p < k of a[i*k + p] * b[bOff + j*k + p]}: a row-major {@code m x k}
     * matrix times the transpose of a row-major {@code n x k} matrix, {@code k} a multiple of
     * {@link #LANES}. Overwrites {@code c}.
     */
    static void multiplyTransposed(float[] a, float[] b, int bOff, float[] c, int m, int k, int n) {
        for (int i = 0; i < m; i += 2) {
            int rows = Math.min(2, m - i);
            for (int j = 0; j < n; j += 4) {
                dotBlock(a, i, rows, b, bOff, j, Math.min(4, n - j), c, k, n);
            }
        }
    }

    /** Up to 2 x 4 dot products of length {@code k}; missing rows or columns repeat the last one. */
    private static void dotBlock(float[] a, int i, int rows, float[] b, int bOff, int j, int cols, float[] c,
            int k, int n) {
        int a0 = i * k;
        int a1 = (i + rows - 1) * k;
        int b0 = bOff + j * k;
        int b1 = bOff + (j + Math.min(1, cols - 1)) * k;
        int b2 = bOff + (j + Math.min(2, cols - 1)) * k;
        int b3 = bOff + (j + cols - 1) * k;
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s03 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s13 = s00;
        for (int p = 0; p < k; p += L) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector w = FloatVector.fromArray(SPECIES, b, b0 + p);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            w = FloatVector.fromArray(SPECIES, b, b1 + p);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            w = FloatVector.fromArray(SPECIES, b, b2 + p);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            w = FloatVector.fromArray(SPECIES, b, b3 + p);
            s03 = x0.fma(w, s03);
            s13 = x1.fma(w, s13);
        }
        int r0 = i * n + j;
        store(c, r0, cols, s00, s01, s02, s03);
        if (rows == 2) {
            store(c, r0 + n, cols, s10, s11, s12, s13);
        }
    }

    private static void store(float[] c, int at, int cols, FloatVector s0, FloatVector s1, FloatVector s2,
            FloatVector s3) {
        c[at] = s0.reduceLanes(VectorOperators.ADD);
        if (cols > 1) {
            c[at + 1] = s1.reduceLanes(VectorOperators.ADD);
        }
        if (cols > 2) {
            c[at + 2] = s2.reduceLanes(VectorOperators.ADD);
        }
        if (cols > 3) {
            c[at + 3] = s3.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Adds {@code bias[bOff..bOff+n)} to each of {@code rows} rows of {@code z} and applies {@code f} in place. */
    static void addBiasAndActivate(float[] z, int rows, int n, float[] bias, int bOff, Activation f) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (int r = 0, o = 0; r < rows; r++, o += n) {
            for (int j = 0; j < n; j += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, z, o + j).add(FloatVector.fromArray(SPECIES, bias, bOff + j));
                v = switch (f) {
                    case IDENTITY -> v;
                    case TANH -> v.lanewise(VectorOperators.TANH);
                    case SIGMOID -> one.div(v.neg().lanewise(VectorOperators.EXP).add(one));
                };
                v.intoArray(z, o + j);
            }
        }
    }

    /**
     * The gradient of the squared error through the sigmoid output layer,
     * {@code delta = scale * (y - x) * y * (1 - y)}, for the first {@code count} elements.
     */
    static void sigmoidSquaredErrorDelta(float[] y, float[] x, int count, float scale, float[] delta) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (int i = 0; i < count; i += L) {
            FloatVector yv = FloatVector.fromArray(SPECIES, y, i);
            FloatVector xv = FloatVector.fromArray(SPECIES, x, i);
            yv.sub(xv).mul(scale).mul(yv).mul(one.sub(yv)).intoArray(delta, i);
        }
    }

    /** {@code delta *= 1 - h * h}: back through a tanh whose outputs were {@code h}. */
    static void tanhBackward(float[] delta, float[] h, int count) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (int i = 0; i < count; i += L) {
            FloatVector hv = FloatVector.fromArray(SPECIES, h, i);
            FloatVector.fromArray(SPECIES, delta, i).mul(hv.neg().fma(hv, one)).intoArray(delta, i);
        }
    }

    /** {@code out[oOff + j] = sum over rows of m[r*n + j]}: a bias gradient. */
    static void columnSums(float[] m, int rows, int n, float[] out, int oOff) {
        for (int j = 0; j < n; j += L) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int r = 0, o = j; r < rows; r++, o += n) {
                acc = acc.add(FloatVector.fromArray(SPECIES, m, o));
            }
            acc.intoArray(out, oOff + j);
        }
    }

    /**
     * {@link ErrorMetric#of} on vectors, in float arithmetic: the same definition (BCE clamps the
     * reconstruction to [1e-6, 1 - 1e-6]) to about 1e-6 relative, and about twenty times faster for
     * BCE, whose scalar form takes a {@code Math.log} per pixel.
     */
    static double error(ErrorMetric metric, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector sum = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(n);
        switch (metric) {
            case MSE -> {
                for (int i = 0; i < bound; i += L) {
                    FloatVector d = FloatVector.fromArray(SPECIES, y, yOff + i).sub(FloatVector.fromArray(SPECIES, x, xOff + i));
                    sum = d.fma(d, sum);
                }
            }
            case MAE -> {
                for (int i = 0; i < bound; i += L) {
                    sum = sum.add(FloatVector.fromArray(SPECIES, y, yOff + i).sub(FloatVector.fromArray(SPECIES, x, xOff + i)).abs());
                }
            }
            case BCE -> {
                FloatVector one = FloatVector.broadcast(SPECIES, 1f);
                for (int i = 0; i < bound; i += L) {
                    FloatVector xv = FloatVector.fromArray(SPECIES, x, xOff + i);
                    FloatVector yv = FloatVector.fromArray(SPECIES, y, yOff + i);
                    // Clamping 1 - y rather than y: 1 - 1e-6 is not a float, 1e-6 nearly is.
                    FloatVector logRc = yv.max(BCE_CLAMP).lanewise(VectorOperators.LOG);
                    FloatVector logOneMinus = one.sub(yv).max(BCE_CLAMP).lanewise(VectorOperators.LOG);
                    // -(x log rc + (1 - x) log(1 - rc)) = -(log(1 - rc) + x (log rc - log(1 - rc)))
                    sum = sum.sub(xv.fma(logRc.sub(logOneMinus), logOneMinus));
                }
            }
        }
        double total = sum.reduceLanes(VectorOperators.ADD);
        if (bound < n) {
            total += metric.of(x, xOff + bound, y, yOff + bound, n - bound) * (n - bound);
        }
        return total / n;
    }

    /**
     * One Adam step over every parameter, in DL4J's arithmetic (so that both engines follow the
     * same trajectory): {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
     * {@code p -= alpha m / (sqrt(v) + eps)} with the bias correction folded into {@code alpha}.
     */
    static void adam(float[] params, float[] grad, float[] m, float[] v, float alpha, float beta1, float beta2,
            float epsilon) {
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        for (int i = 0; i < params.length; i += L) {
            FloatVector g = FloatVector.fromArray(SPECIES, grad, i);
            FloatVector mv = FloatVector.fromArray(SPECIES, m, i).mul(beta1).add(g.mul(oneMinusB1));
            FloatVector vv = FloatVector.fromArray(SPECIES, v, i).mul(beta2).add(g.mul(g).mul(oneMinusB2));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            FloatVector.fromArray(SPECIES, params, i).sub(mv.mul(alpha).div(vv.sqrt().add(epsilon))).intoArray(params, i);
        }
    }
}
