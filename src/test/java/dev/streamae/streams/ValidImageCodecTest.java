package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.ImageDecoder;
import org.junit.jupiter.api.Test;

class ValidImageCodecTest {

    @Test
    void everyByteValueRoundTripsExactlyInEightBits() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        float[] pixels = new ImageDecoder(16, 16).decodeU8(ImageDecoder.encodeU8(bytes));
        ValidImage image = new ValidImage("u8", pixels, Label.of(7), 123L);

        byte[] exact = ValidImageCodec.encodeExact(image);
        assertThat(exact.length).isLessThan(ValidImageCodec.encodeFloat(image).length / 3);
        ValidImage back = ValidImageCodec.decode(exact);
        assertThat(back.pixels()).isEqualTo(pixels);
        assertThat(back.id()).isEqualTo("u8");
        assertThat(back.label()).isEqualTo(Label.of(7));
        assertThat(back.timestamp()).isEqualTo(123L);
    }

    @Test
    void pixelsThatAreNotEightBitStayFloat() {
        float[] pixels = {0f, 1f, 0.3f, 128 / 255f};
        ValidImage image = new ValidImage("f", pixels, null, 5L);
        byte[] exact = ValidImageCodec.encodeExact(image);
        assertThat(exact).isEqualTo(ValidImageCodec.encodeFloat(image));
        assertThat(ValidImageCodec.decode(exact).pixels()).isEqualTo(pixels);
    }

    @Test
    void labelsOfEveryKindRoundTripUnchanged() {
        float[] pixels = {0f, 1f, 0.5f, 0.25f};
        for (Label label : new Label[] {null, Label.of(7), Label.of(Long.MIN_VALUE), Label.of("fashion:bag"),
                Label.of("ünïcödé ✓"), Label.of(""), Label.of("x".repeat(Label.MAX_CHARS))}) {
            ValidImage image = new ValidImage("id", pixels, label, 9L);
            assertThat(ValidImageCodec.decode(ValidImageCodec.encodeU8(image)).label()).as(String.valueOf(label)).isEqualTo(label);
            assertThat(ValidImageCodec.decode(ValidImageCodec.encodeFloat(image)).label()).isEqualTo(label);
        }
    }

    @Test
    void recordsWrittenBeforeLabelsWereFreeFormStillDecode() {
        // Format 1: id, has-label byte, 32-bit label, timestamp, count, 8-bit pixels (what a trainer's
        // changelog may hold across an upgrade).
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(1 + 4 + 2 + 1 + 4 + 8 + 4 + 4);
        old.put((byte) 1).putInt(2).put("ab".getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 1).putInt(3)
                .putLong(77L).putInt(4).put(new byte[] {0, (byte) 255, 0, (byte) 255});
        ValidImage back = ValidImageCodec.decode(old.array());
        assertThat(back.id()).isEqualTo("ab");
        assertThat(back.label()).isEqualTo(Label.of(3));
        assertThat(back.timestamp()).isEqualTo(77L);
        assertThat(back.pixels()).containsExactly(0f, 1f, 0f, 1f);
    }
}
