package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code model.engine}: auto falls back to DL4J where the vector engine cannot run, vector refuses to. */
class EngineChoiceTest {

    private static final String MISSING = "the JVM was started without --add-modules jdk.incubator.vector";

    @Test
    void autoRunsTheVectorEngineWhereItCanAndDl4jElsewhere() {
        assertThat(Autoencoders.select(EngineChoice.AUTO, null)).isEqualTo(Autoencoders.Engine.VECTOR);
        assertThat(Autoencoders.select(EngineChoice.AUTO, MISSING)).isEqualTo(Autoencoders.Engine.DL4J);
    }

    @Test
    void namedEnginesRunThatEngineOrStopWithTheReason() {
        assertThat(Autoencoders.select(EngineChoice.DL4J, null)).isEqualTo(Autoencoders.Engine.DL4J);
        assertThat(Autoencoders.select(EngineChoice.DL4J, MISSING)).isEqualTo(Autoencoders.Engine.DL4J);
        assertThat(Autoencoders.select(EngineChoice.VECTOR, null)).isEqualTo(Autoencoders.Engine.VECTOR);
        assertThatThrownBy(() -> Autoencoders.select(EngineChoice.VECTOR, MISSING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model.engine=vector, but " + MISSING + " (model.engine=auto falls back to DL4J)");
    }

    @Test
    void parsesTheSettingsSpellingsOnly() {
        assertThat(EngineChoice.parse(" Vector ")).isEqualTo(EngineChoice.VECTOR);
        assertThat(EngineChoice.parse("dl4j")).isEqualTo(EngineChoice.DL4J);
        assertThat(EngineChoice.DL4J.id()).isEqualTo("dl4j");
        assertThatThrownBy(() -> EngineChoice.parse("nd4j")).hasMessageContaining("auto, vector or dl4j");
    }
}
