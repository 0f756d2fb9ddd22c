package dev.streamae.streams;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicDeclarationsTest {

    @Test
    void declaresExactlyTheTopicNamesInTopicsAll() {
        assertThat(TopicDeclarations.load().names()).containsExactlyElementsOf(Topics.ALL);
    }

    @Test
    void modelsIsCompactedAndTakesLargeSnapshots() {
        TopicDeclaration models = TopicDeclarations.load().get(Topics.MODELS);
        assertThat(models.partitions()).isEqualTo(1);
        assertThat(models.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Integer.parseInt(models.configs().get("max.message.bytes"))).isGreaterThan(3 * 1024 * 1024);
        assertThat(TopicDeclarations.load().get(Topics.IMAGES).partitions()).isEqualTo(6);
    }

    @Test
    void unknownTopicIsAnErrorNamingTheDeclaredOnes() {
        assertThatThrownBy(() -> TopicDeclarations.load().get("imgaes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imgaes").hasMessageContaining(Topics.IMAGES);
    }

    @Test
    void rejectsDuplicatesZeroPartitionsAndUnknownFields() {
        assertThatThrownBy(() -> parse("""
                {"topics": [{"name": "a", "partitions": 1}, {"name": "a", "partitions": 2}, {"name": "b", "partitions": 0}]}"""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a' is declared twice")
                .hasMessageContaining("'b' must have partitions >= 1, has 0");
        assertThatThrownBy(() -> parse("""
                {"topics": [{"name": "a", "partitons": 1}]}"""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitons");
        assertThatThrownBy(() -> parse("""
                {"topics": [{"partitions": 1}]}"""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no name");
        assertThatThrownBy(() -> parse("{\"topics\": []}")).hasMessageContaining("no topics");
    }

    private static TopicDeclarations parse(String json) {
        return TopicDeclarations.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
    }
}
