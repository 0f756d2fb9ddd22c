package dev.streamae.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.contract.TopicContract;
import dev.streamae.image.ImageDecoder;
import dev.streamae.image.InvalidImageException;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Without a broker: every record of the hostile corpus is refused by the scorer's own checks (the
 * JSON serde or the image decoder), with a reason, and by the topic contract's ImageRecord schema
 * unless the reason needs the model. {@link BadInputCorpusTest} then sends the same corpus through
 * the real topologies.
 */
class MalformedRecordsTest {

    /** Reasons of the service's checks that depend on the model or on decoding the image, not on the record's structure. */
    private static final Pattern NEEDS_THE_MODEL = Pattern.compile("^(pixels has \\d+ values, the model expects"
            + "|u8 has (about )?\\d+ bytes|(u8|png) is not valid base64|(width|height) is [1-9]\\d*, the model expects"
            + "|png is \\d+x\\d+, the model expects"
            + "|png (is not a PNG file|is truncated|is corrupt|has no image data|could not be decoded))");

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

    /**
     * The ImageRecord schema of the topic contract refuses every corpus record the service refuses,
     * except where the reason needs the model (how many pixels, width and height, base64 padding,
     * the PNG file): a schema cannot know the model's size or decode a PNG.
     */
    @Test
    void theContractsSchemaRefusesEveryCorpusRecordTheServiceRefusesForItsStructure() {
        List<MalformedRecords.Bad> corpus = MalformedRecords.corpus(BadInputCorpusTest.SEED, BadInputCorpusTest.COUNT);
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        ImageDecoder decoder = new ImageDecoder();
        TopicContract contract = TopicContract.load();
        List<String> passedTheSchema = new ArrayList<>();
        Map<String, Long> modelReasons = new java.util.TreeMap<>();
        for (MalformedRecords.Bad bad : corpus) {
            String reason;
            try {
                ImageRecord image = serde.fromBytes(bad.value());
                if (image == null) {
                    reason = "empty record";
                } else {
                    decoder.decode(image.id() != null ? image.id() : bad.id(), image.pixels(), image.u8(), image.png(),
                            image.width(), image.height());
                    throw new AssertionError("the service accepts " + bad.kind() + " " + bad.id());
                }
            } catch (SerializationException | InvalidImageException e) {
                reason = e.getMessage();
            }
            if (contract.valueErrors(Topics.IMAGES, bad.value()).isEmpty()) {
                if (NEEDS_THE_MODEL.matcher(reason).find()) {
                    modelReasons.merge(reason.replaceAll("[0-9]+", "N"), 1L, Long::sum);
                } else {
                    passedTheSchema.add(bad.kind() + " " + bad.id() + ": " + reason);
                }
            }
        }
        assertThat(passedTheSchema).as("records the schema accepts though the service refuses their structure").isEmpty();
        assertThat(modelReasons).as("refused only for the model's reasons").isNotEmpty();
    }
}
