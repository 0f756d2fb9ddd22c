package dev.streamae.model;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between Java float arrays and ND4J matrices.
 *
 * <p>Why: ND4J's own conversions ({@code Nd4j.create(float[])}, {@code toFloatVector()}) copy one
 * element at a time through an indexer, which profiling showed to cost about a tenth of a training
 * step for a 64 x 784 batch. A direct NIO view of the native buffer copies in bulk instead, and
 * arrays that are already contiguous row-major float32 are read without an intermediate native
 * copy (native allocations are slow here: JavaCPP checks the process's memory on each one).
 */
final class NdArrays {

    private NdArrays() {
    }

    /** A new row-major float32 {@code rows x cols} matrix holding {@code flat}. */
    static INDArray matrix(float[] flat, int rows, int cols) {
        INDArray matrix = Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
        fill(matrix, flat);
        return matrix;
    }

    /** Overwrites a matrix made by {@link #matrix} with {@code flat}, reusing its native memory. */
    static void fill(INDArray matrix, float[] flat) {
        if (flat.length != matrix.length() || !isContiguousRowMajorFloat(matrix)) {
            throw new IllegalArgumentException(flat.length + " values for a " + Arrays.toString(matrix.shape())
                    + " matrix of order " + matrix.ordering());
        }
        matrix.data().asNioFloat().put(flat);
    }

    /** The rows of a matrix as Java arrays. */
    static float[][] rows(INDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + Arrays.toString(matrix.shape()));
        }
        FloatBuffer buffer = rowMajorBuffer(matrix);
        float[][] rows = new float[Math.toIntExact(matrix.rows())][Math.toIntExact(matrix.columns())];
        for (float[] row : rows) {
            buffer.get(row);
        }
        return rows;
    }

    /** The elements of {@code array} in row-major order, whatever its layout. */
    static float[] rowMajor(INDArray array) {
        float[] out = new float[Math.toIntExact(array.length())];
        rowMajorBuffer(array).get(out);
        return out;
    }

    private static FloatBuffer rowMajorBuffer(INDArray array) {
        // Anything else (a view, 'f' order, another type) gets a contiguous row-major copy first.
        INDArray source = isContiguousRowMajorFloat(array) ? array : array.castTo(DataType.FLOAT).dup('c');
        return source.data().asNioFloat();
    }

    private static boolean isContiguousRowMajorFloat(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() && a.offset() == 0
                && a.elementWiseStride() == 1 && a.data().length() == a.length();
    }
}
