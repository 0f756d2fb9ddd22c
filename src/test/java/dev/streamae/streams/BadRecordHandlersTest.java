package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Dead-letter copies of huge records are cut to a size that can always be written. */
class BadRecordHandlersTest {

    @Test
    void smallRecordsAreCopiedAsTheyAre() {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("images-dlq", null, 5L, bytes(10), bytes(100),
                new RecordHeaders().add("__streams.errors.message", bytes(50)));
        assertThat(BadRecordHandlers.bounded(List.of(r))).containsExactly(r);
    }

    @Test
    void hugeKeysValuesAndHeadersAreCutAndTheOriginalSizesRecorded() {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("images-dlq", null, 5L, bytes(2_000_000),
                bytes(10 << 20), new RecordHeaders().add("__streams.errors.stacktrace", bytes(100_000))
                .add("__streams.errors.message", bytes(20)));
        ProducerRecord<byte[], byte[]> cut = BadRecordHandlers.bounded(List.of(r)).get(0);
        assertThat(cut.key()).hasSize(BadRecordHandlers.MAX_COPIED_BYTES);
        assertThat(cut.value()).hasSize(BadRecordHandlers.MAX_COPIED_BYTES);
        assertThat(cut.headers().lastHeader("__streams.errors.stacktrace").value()).hasSize(BadRecordHandlers.MAX_HEADER_BYTES);
        assertThat(cut.headers().lastHeader("__streams.errors.message").value()).hasSize(20);
        assertThat(text(cut.headers().lastHeader(BadRecordHandlers.ORIGINAL_KEY_BYTES_HEADER).value())).isEqualTo("2000000");
        assertThat(text(cut.headers().lastHeader(BadRecordHandlers.ORIGINAL_VALUE_BYTES_HEADER).value()))
                .isEqualTo(Integer.toString(10 << 20));
        assertThat(cut.topic()).isEqualTo("images-dlq");
        assertThat(cut.timestamp()).isEqualTo(5L);
    }

    @Test
    void noDeadLetterRecordsStayNone() {
        assertThat(BadRecordHandlers.bounded(null)).isEmpty();
    }

    private static byte[] bytes(int n) {
        return new byte[n];
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
