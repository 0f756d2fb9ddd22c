package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorWindowTest {

    private static ErrorWindow of(int capacity, double... values) {
        ErrorWindow window = new ErrorWindow(capacity);
        for (double v : values) {
            window.add(v);
        }
        return window;
    }

    @Test
    void ringKeepsTheNewestValues() {
        ErrorWindow w = of(3, 1, 2, 3, 4, 5);
        assertThat(w.count()).isEqualTo(3);
        assertThat(w.capacity()).isEqualTo(3);
        assertThat(w.values()).containsExactly(3, 4, 5);
        assertThat(of(5, 1, 2).values()).containsExactly(1, 2);
        assertThat(new ErrorWindow(4).isEmpty()).isTrue();
    }

    @Test
    void rejectsBadArguments() {
        ErrorWindow w = of(3, 1);
        assertThatThrownBy(() -> w.add(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("errors must be finite, got NaN");
        assertThatThrownBy(() -> w.add(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorWindow(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(w.count()).isEqualTo(1);
    }

    @Test
    void bytesAreCompactBigEndianAndRoundTrip() {
        ErrorWindow partial = of(5, 0.5, 0.25);
        byte[] bytes = partial.toBytes();
        assertThat(bytes).hasSize(12 + 2 * 8);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        assertThat(in.getInt()).isEqualTo(5);
        assertThat(in.getInt()).isEqualTo(2);
        assertThat(in.getInt()).isEqualTo(2);
        assertThat(in.getDouble()).isEqualTo(0.5);
        assertThat(in.getDouble()).isEqualTo(0.25);
        assertThat(new ErrorWindow(7).toBytes()).hasSize(12);

        Random random = new Random(3);
        ErrorWindow wrapped = new ErrorWindow(50);
        for (int i = 0; i < 137; i++) {
            wrapped.add(random.nextDouble());
        }
        ErrorWindow restored = ErrorWindow.fromBytes(wrapped.toBytes());
        assertThat(restored.values()).containsExactly(wrapped.values());
        // The restored ring continues exactly where the original left off.
        for (int i = 0; i < 30; i++) {
            double v = random.nextDouble();
            wrapped.add(v);
            restored.add(v);
        }
        assertThat(restored.values()).containsExactly(wrapped.values());
        assertThat(ErrorWindow.fromBytes(partial.toBytes()).values()).containsExactly(0.5, 0.25);
    }

    @Test
    void fromBytesValidatesEveryField() {
        assertRejected(null, "error window: need at least 12 bytes, got null");
        assertRejected(new byte[11], "error window: need at least 12 bytes, got 11");
        assertRejected(header(0, 0, 0), "error window: capacity 0 is outside [1, 10000000]");
        assertRejected(header(Integer.MAX_VALUE, 0, 0), "error window: capacity 2147483647 is outside [1, 10000000]");
        assertRejected(header(3, 4, 0), "error window: count 4 is outside [0, 3]");
        assertRejected(header(3, -1, 0), "error window: count -1 is outside [0, 3]");
        assertRejected(header(3, 1, 2), "error window: next index 2 is inconsistent with count 1 and capacity 3");
        assertRejected(header(3, 3, 3), "error window: next index 3 is inconsistent with count 3 and capacity 3");
        assertRejected(header(3, 2, 2), "error window: 2 values need 28 bytes, got 12");
        byte[] nan = ByteBuffer.allocate(20).putInt(3).putInt(1).putInt(1).putDouble(Double.NaN).array();
        assertRejected(nan, "error window: value 0 is NaN");
        byte[] full = ByteBuffer.allocate(12 + 16).putInt(2).putInt(2).putInt(1).putDouble(1).putDouble(2).array();
        assertThat(ErrorWindow.fromBytes(full).values()).containsExactly(2, 1);
    }

    @Test
    void capacityCanChangeKeepingTheNewest() {
        ErrorWindow w = of(4, 1, 2, 3, 4, 5, 6);
        assertThat(w.withCapacity(2).values()).containsExactly(5, 6);
        ErrorWindow grown = w.withCapacity(10);
        assertThat(grown.values()).containsExactly(3, 4, 5, 6);
        grown.add(7);
        assertThat(grown.values()).containsExactly(3, 4, 5, 6, 7);
    }

    private static byte[] header(int capacity, int count, int next) {
        return ByteBuffer.allocate(12).putInt(capacity).putInt(count).putInt(next).array();
    }

    private static void assertRejected(byte[] bytes, String message) {
        assertThatThrownBy(() -> ErrorWindow.fromBytes(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
