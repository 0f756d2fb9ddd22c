package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /** p = 1 up to 0.1, 0.1 at 0.2, 0.01 at 0.3, then an exponential tail of scale 0.05. */
    private static final Calibration C = new Calibration(new double[] {0.1, 0.2, 0.3},
            new double[] {0, Math.log(0.1), Math.log(0.01)}, 0.05, 0.02, 5_000);

    @Test
    void pValuesAreExactAtTheKnotsInterpolatedBetweenAndExponentialBeyond() {
        assertThat(C.pValue(0.0)).isEqualTo(1.0);
        assertThat(C.pValue(0.1)).isEqualTo(1.0);
        assertThat(C.pValue(0.2)).isCloseTo(0.1, within(1e-12));
        assertThat(C.pValue(0.3)).isCloseTo(0.01, within(1e-12));
        // Halfway between two knots: halfway in log p.
        assertThat(C.pValue(0.25)).isCloseTo(Math.sqrt(0.1 * 0.01), within(1e-12));
        assertThat(C.pValue(0.35)).isCloseTo(0.01 * Math.exp(-1), within(1e-12));
        double previous = 2;
        for (double e = 0; e < 1; e += 0.001) {
            double p = C.pValue(e);
            assertThat(p).isBetween(0.0, 1.0).isLessThanOrEqualTo(previous);
            previous = p;
        }
        assertThatThrownBy(() -> C.pValue(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theThresholdIsWhereThePValueMeetsTheRate() {
        for (double rate : new double[] {0.5, 0.1, 0.03, 0.01, 0.005, 1e-4, 1e-7}) {
            double t = C.threshold(rate);
            assertThat(C.pValue(t)).as("rate %s", rate).isCloseTo(rate, within(rate * 1e-9));
            assertThat(C.pValue(Math.nextUp(t) + 1e-9)).isLessThan(rate);
        }
        assertThat(C.threshold(0.999)).isBetween(0.1, 0.2);
        assertThatThrownBy(() -> C.threshold(0)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> C.threshold(1)).hasMessageContaining("(0, 1)");
    }

    @Test
    void roundTripsThroughItsBytesAndRejectsWhatIsNotOne() {
        assertThat(Calibration.fromBytes(C.toBytes())).isEqualTo(C);
        assertThat(C.toBytes()).hasSize(C.byteSize());
        byte[] longer = Arrays.copyOf(C.toBytes(), C.byteSize() + 1);
        assertThatThrownBy(() -> Calibration.fromBytes(longer)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Calibration.fromBytes(Arrays.copyOf(C.toBytes(), 20))).hasMessageContaining("need");
        byte[] hostile = C.toBytes();
        ByteBuffer.wrap(hostile).putInt(0, Integer.MAX_VALUE);
        assertThatThrownBy(() -> Calibration.fromBytes(hostile)).hasMessageContaining("knots (2 to 4096 allowed)");
        assertThatThrownBy(() -> new Calibration(new double[] {0.2, 0.1}, new double[] {0, -1}, 1, 0, 1))
                .hasMessageContaining("rise in error");
        assertThatThrownBy(() -> new Calibration(new double[] {0.1, 0.2}, new double[] {0.5, -1}, 1, 0, 1))
                .hasMessageContaining("cannot exceed 1");
        assertThatThrownBy(() -> new Calibration(new double[] {0.1, 0.2}, new double[] {0, -1}, 0, 0, 1))
                .hasMessageContaining("tail scale");
        assertThatThrownBy(() -> new Calibration(new double[] {0.1, Double.NaN}, new double[] {0, -1}, 1, 0, 1))
                .hasMessageContaining("not finite");
    }

    @Test
    void itsArraysCannotBeChangedFromOutside() {
        double[] errors = {0.1, 0.2};
        Calibration c = new Calibration(errors, new double[] {0, -1}, 1, 0, 1);
        errors[1] = 5;
        c.errors()[0] = 7;
        assertThat(c.errors()).containsExactly(0.1, 0.2);
    }
}
