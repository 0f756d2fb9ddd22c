package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NdArraysTest {

    private static final float[] VALUES = {1, 2, 3, 4, 5, 6};

    @Test
    void aMatrixHoldsTheValuesRowMajor() {
        INDArray m = NdArrays.matrix(VALUES, 2, 3);
        assertThat(m.shape()).containsExactly(2, 3);
        assertThat(m.getFloat(1, 0)).isEqualTo(4f);
        assertThat(m).isEqualTo(Nd4j.create(VALUES, new long[] {2, 3}, 'c'));
        assertThatThrownBy(() -> NdArrays.matrix(VALUES, 4, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowMajorReadsPlainColumnMajorViewsAndDoublesAlike() {
        INDArray c = Nd4j.create(VALUES, new long[] {2, 3}, 'c');
        assertThat(NdArrays.rowMajor(c)).containsExactly(VALUES);
        assertThat(NdArrays.rowMajor(c.dup('f'))).containsExactly(VALUES);
        INDArray view = c.get(NDArrayIndex.point(1), NDArrayIndex.all());
        assertThat(NdArrays.rowMajor(view)).containsExactly(4, 5, 6);
        assertThat(NdArrays.rowMajor(c.castTo(DataType.DOUBLE))).containsExactly(VALUES);
    }
}
