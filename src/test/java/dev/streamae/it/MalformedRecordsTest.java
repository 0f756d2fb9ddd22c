package dev.streamae.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.ImageDecoder;
import dev.streamae.image.InvalidImageException;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Without a broker: every record of the hostile corpus is refused by the scorer's own checks (the
 * JSON serde or the image decoder), with a reason. {@link BadInputCorpusTest} then sends the same
 * corpus through the real topologies.
 */
class MalformedRecordsTest {

    @Test
    void everyCorpusRecordIsRefusedWithAReason() {
        List<MalformedRecords.Bad> corpus = MalformedRecords.corpus(BadInputCorpusTest.SEED, BadInputCorpusTest.COUNT);
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        ImageDecoder decoder = new ImageDecoder();
        List<String> accepted = new ArrayList<>();
        for (MalformedRecords.Bad bad : corpus) {
            String reason;
            try {
                ImageRecord image = serde.fromBytes(bad.value());
                if (image == null) {
                    continue;  // a null value or JSON null: ImageValidator refuses it as an empty record
                }
                decoder.decode(image.id() != null ? image.id() : bad.id(), image.pixels(), image.u8(), image.png(),
                        image.width(), image.height());
                accepted.add(bad.kind() + " " + bad.id());
                continue;
            } catch (SerializationException | InvalidImageException e) {
                reason = e.getMessage();
            }
            assertThat(reason).as(bad.kind()).isNotBlank();
        }
        assertThat(accepted).as("records the checks let through").isEmpty();
        Map<String, Long> kinds = corpus.stream().collect(Collectors.groupingBy(MalformedRecords.Bad::kind,
                Collectors.counting()));
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(16);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(MalformedRecords.nullKeys(corpus)).isPositive();
    }
}
