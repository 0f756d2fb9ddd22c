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
        "{\"id\":\"x\",\"u8\":\"AA==\",\"label\":7.5}",
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
        TrainingMetrics m = new TrainingMetrics("streamae", 3, Double.NaN, "bce", 0.1, 0.005, 0.02, 0.015, 10_000, true,
                100, 7, 0, Double.POSITIVE_INFINITY, 42, "hold", "SUSPECTED", 120.5, true, 3L, 9L, 0.75);
        assertThat(serde.fromBytes(serde.toBytes(m))).isEqualTo(m);
        JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
        ScoreRecord s = new ScoreRecord("a", "streamae", 2, "fallback", true, new float[] {1, 2, 3}, 0.5, "bce", 0.001,
                0.4, true, ScoreRecord.Status.READY, Label.of(7), 4, 1234L, 1, 2);
        ScoreRecord back = scores.fromBytes(scores.toBytes(s));
        assertThat(back.scoredBy()).isEqualTo("fallback");
        assertThat(back.pinned()).isTrue();
        assertThat(back.partition()).isEqualTo(4);
        assertThat(back.offset()).isEqualTo(1234L);
        assertThat(back.status()).isEqualTo(ScoreRecord.Status.READY);
        assertThat(back.code()).containsExactly(1, 2, 3);
        assertThat(back.pValue()).isEqualTo(0.001);
        assertThat(back.label()).isEqualTo(Label.of(7));
    }

    @Test
    void labelsPassThroughAsTheyCame() {
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        assertThat(serde.fromBytes(bytes("{\"id\":\"a\",\"label\":\"fashion:bag\"}")).label()).isEqualTo(Label.of("fashion:bag"));
        assertThat(serde.fromBytes(bytes("{\"id\":\"a\",\"label\":\"3\"}")).label()).isEqualTo(Label.of("3"));
        assertThat(serde.fromBytes(bytes("{\"id\":\"a\",\"label\":3}")).label()).isEqualTo(Label.of(3));
        assertThat(serde.fromBytes(bytes("{\"id\":\"a\",\"label\":-9007199254740993}")).label())
                .isEqualTo(Label.of(-9007199254740993L));
        assertThat(serde.fromBytes(bytes("{\"id\":\"a\"}")).label()).isNull();
        // Written back exactly as read: a string stays a string, a number a number.
        JsonSerde<ScoreRecord> scores = JsonSerde.of(ScoreRecord.class);
        String text = new String(scores.toBytes(new ScoreRecord("a", "m", 0, null, null, null, null, "bce", null, null, false,
                ScoreRecord.Status.NO_MODEL, Label.of("3"), null, null, 1, 2)), StandardCharsets.UTF_8);
        assertThat(text).contains("\"label\":\"3\"");
        String number = new String(scores.toBytes(new ScoreRecord("a", "m", 0, null, null, null, null, "bce", null, null, false,
                ScoreRecord.Status.NO_MODEL, Label.of(3), null, null, 1, 2)), StandardCharsets.UTF_8);
        assertThat(number).contains("\"label\":3");
    }

    @Test
    void labelsThatAreNeitherStringsNorIntegersAreRejectedWithAReason() {
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        for (String label : new String[] {"1.5", "true", "{}", "[1]", "123456789012345678901234567890",
                "\"" + "x".repeat(Label.MAX_CHARS + 1) + "\""}) {
            assertThatThrownBy(() -> serde.fromBytes(bytes("{\"id\":\"a\",\"label\":" + label + "}")))
                    .as(label).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("label");
        }
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A trainer older than drift and feedback wrote no such fields: its records still read, the fields null. */
    @Test
    void trainingMetricsOfAnOlderTrainerStillRead() {
        String older = "{\"model\":\"streamae\",\"modelVersion\":3,\"loss\":0.1,\"metric\":\"bce\",\"threshold\":0.5,"
                + "\"falseAlarmRate\":0.004,\"alertRate\":0.02,\"contamination\":0.015,\"calibrationCount\":10000,"
                + "\"alerting\":true,\"examplesSeen\":100,\"steps\":7,\"skippedAnomalies\":0,\"imagesPerSecond\":5.0,"
                + "\"timestamp\":42}";
        TrainingMetrics m = JsonSerde.of(TrainingMetrics.class).fromBytes(older.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(m.examplesSeen()).isEqualTo(100);
        assertThat(m.driftStatistic()).isNull();
        assertThat(m.learningHeld()).isNull();
        assertThat(m.feedbackNormal()).isNull();
    }
}
