package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void seedNetworkHasTheTutorialsParameterCount() {
        // 784*128+128 + 128*64+64 + 64*12+12 + 12*3+3, mirrored for the decoder.
        assertThat(Architecture.SEED.parameterCount()).isEqualTo(219_891L);
        assertThat(Architecture.SEED.allSizes()).containsExactly(784, 128, 64, 12, 3, 12, 64, 128, 784);
        assertThat(Architecture.SEED.side()).isEqualTo(28);
        assertThat(Architecture.SEED.codeSize()).isEqualTo(3);
    }

    @Test
    void parsesAndPrintsLayerSizes() {
        assertThat(Architecture.parse("784-128-64-12-3")).isEqualTo(Architecture.SEED);
        assertThat(Architecture.parse(" 4 - 3 -2 ").toString()).isEqualTo("4-3-2");
        assertThat(Architecture.parse("4-3-2").parameterCount()).isEqualTo(4 * 3 + 3 + 3 * 2 + 2 + 2 * 3 + 3 + 3 * 4 + 4);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> Architecture.parse("784-abc-3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("784-abc-3");
        assertThatThrownBy(() -> Architecture.parse("784")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Architecture.parse("784-0-3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isAValueWithADefensiveCopy() {
        int[] sizes = {4, 3, 2};
        Architecture a = new Architecture(sizes);
        sizes[0] = 99;
        assertThat(a.inputSize()).isEqualTo(4);
        assertThat(a).isEqualTo(new Architecture(new int[] {4, 3, 2})).hasSameHashCodeAs(Architecture.parse("4-3-2"));
    }
}
