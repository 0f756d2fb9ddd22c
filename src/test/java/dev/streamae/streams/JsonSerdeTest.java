package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON serde is strict: values of the wrong JSON type are rejected, not coerced. */
class JsonSerdeTest {

    private final JsonSerde<ImageRecord> images = JsonSerde.of(ImageRecord.class);

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\":12345,\"u8\":\"AA==\"}",
        "{\"id\":true,\"u8\":\"AA==\"}",
        "{\"id\":1.5,\"u8\":\"AA==\"}",
        "{\"id\":\"x\",\"u8\":12345}",
        "{\"id\":\"x\",\"u8\":\"AA==\",\"width\":\"28\"}",
        "{\"id\":\"x\",\"u8\":\"AA==\",\"width\":28.5}",
        "{\"id\":\"x\",\"u8\":\"AA==\",\"label\":\"7\"}",
        "{\"id\":\"x\",\"u8\":\"AA==\",\"timestamp\":\"1\"}",
        "{\"id\":\"x\",\"pixels\":[\"0.5\",\"0.5\"]}",
        "{\"id\":\"x\",\"pixels\":[true]}",
        "{\"id\":\"x\",\"pixels\":[null]}",
        "{\"id\":\"x\",\"pixels\":[NaN]}",
        "{\"id\":\"x\",\"pixels\":\"0.5\"}",
    })
    void wrongTypesAreRejected(String json) {
        assertThatThrownBy(() -> images.fromBytes(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("not a valid ImageRecord JSON record");
    }

    @Test
    void rightTypesStillParse() {
        ImageRecord r = images.fromBytes("{\"id\":\"x\",\"pixels\":[0, 0.5, 1],\"width\":28,\"label\":7,\"timestamp\":5}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(r.id()).isEqualTo("x");
        assertThat(r.pixels()).containsExactly(0f, 0.5f, 1f);
        assertThat(r.width()).isEqualTo(28);
    }

    @Test
    void ourOwnRecordsRoundTripIncludingNaN() {
        JsonSerde<TrainingMetrics> serde = JsonSerde.of(TrainingMetrics.class);
        TrainingMetrics m = new TrainingMetrics("streamae", 3, Double.NaN, 0.1, 0.99, 10, "bce", 100, 7, 0,
                Double.POSITIVE_INFINITY, 42);
        assertThat(serde.fromBytes(serde.toBytes(m))).isEqualTo(m);
        JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
        ScoreRecord s = new ScoreRecord("a", new float[] {1, 2, 3}, 0.5, "bce", 0.4, true, ScoreRecord.Status.READY,
                2, 7, 1, 2);
        assertThat(scores.fromBytes(scores.toBytes(s)).status()).isEqualTo(ScoreRecord.Status.READY);
        assertThat(scores.fromBytes(scores.toBytes(s)).code()).containsExactly(1, 2, 3);
    }
}
