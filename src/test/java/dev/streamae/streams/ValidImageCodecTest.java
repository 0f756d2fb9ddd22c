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
        ValidImage image = new ValidImage("u8", pixels, 7, 123L);

        byte[] exact = ValidImageCodec.encodeExact(image);
        assertThat(exact.length).isLessThan(ValidImageCodec.encodeFloat(image).length / 3);
        ValidImage back = ValidImageCodec.decode(exact);
        assertThat(back.pixels()).isEqualTo(pixels);
        assertThat(back.id()).isEqualTo("u8");
        assertThat(back.label()).isEqualTo(7);
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
}
