package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.contract.TopicContract;
import dev.streamae.image.ImageDecoder;
import dev.streamae.image.InvalidImageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The ImageRecord schema says what the scorer's own checks say (the JSON serde, then the image
 * validation both topologies run before the dead-letter queue), case by case, for every record
 * whose verdict does not depend on the model: all of them are of the default 28x28 size. Records
 * that fail only for the model's reasons (size, base64 padding, the PNG file) are the business of
 * {@code MalformedRecordsTest}'s corpus. One difference is known and kept here so that it stays
 * known: the service wants integers written as integers, and JSON Schema cannot see how a number
 * was written ({@code 3.0} is the integer 3 to it).
 */
class ImageRecordSchemaTest {

    private static final String U8 = "\"u8\":\"" + ImageDecoder.encodeU8(new byte[784]) + "\"";
    private static final String PIXELS = "\"pixels\":" + repeat("0", 784);
    private static final String U8_UNPADDED = "\"u8\":\"" + Base64.getEncoder().withoutPadding()
            .encodeToString(new byte[784]) + "\"";
    private static final String PNG = "\"png\":\"" + ImageDecoder.encodePng(new float[784], 28, 28) + "\"";

    /** How the service and the schema judge a record. */
    private enum Verdict { VALID, INVALID, ONLY_THE_SERVICE_REFUSES }

    /** A record, and how it is judged (the service with the record key {@code "k"}). */
    private record Case(String json, Verdict verdict) {
    }

    private static final List<Case> CASES = List.of(
            valid("{\"id\":\"a\"," + U8 + "}"),
            valid("{\"id\":\"a\"," + U8_UNPADDED + "}"),                                     // padding is optional
            valid("{\"id\":\"a\"," + PIXELS + ",\"width\":28,\"height\":28}"),
            valid("{\"id\":\"a\",\"pixels\":" + repeat("1", 783).replace("]", ",0.5]") + "}"),
            valid("{\"id\":\"a\"," + PNG + "}"),
            valid("{" + U8 + "}"),                                                         // the key is the id
            valid("{\"id\":null," + U8 + "}"),
            valid("{\"id\":\"" + "x".repeat(256) + "\"," + U8 + "}"),
            valid("{\"id\":\"a\"," + U8 + ",\"pixels\":null,\"png\":null}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":7}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":-9223372036854775808}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":\"fashion:bag\"}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":\"\"}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":\"" + "x".repeat(256) + "\"}"),
            valid("{\"id\":\"a\"," + U8 + ",\"label\":null,\"width\":null,\"height\":null,\"timestamp\":null}"),
            valid("{\"id\":\"a\"," + U8 + ",\"timestamp\":0}"),
            valid("{\"id\":\"a\"," + U8 + ",\"timestamp\":1796463041102}"),
            invalid("{\"id\":\"a\"," + U8 + "," + PIXELS + "}"),
            invalid("{\"id\":\"a\"," + U8 + "," + PIXELS + "," + PNG + "}"),
            invalid("{\"id\":\"a\"}"),
            invalid("{\"id\":\"a\",\"u8\":null,\"pixels\":null,\"png\":null}"),
            invalid("{\"id\":\"\"," + U8 + "}"),
            invalid("{\"id\":\" \\t\"," + U8 + "}"),
            invalid("{\"id\":\"" + "x".repeat(257) + "\"," + U8 + "}"),
            invalid("{\"id\":12345," + U8 + "}"),
            invalid("{\"id\":true," + U8 + "}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":7.5}"),
            integerWithAFraction("{\"id\":\"a\"," + U8 + ",\"label\":3.0}"),
            integerWithAFraction("{\"id\":\"a\"," + U8 + ",\"label\":1e3}"),
            integerWithAFraction("{\"id\":\"a\"," + U8 + ",\"width\":28.0}"),
            integerWithAFraction("{\"id\":\"a\"," + U8 + ",\"timestamp\":1796463041102.0}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":9223372036854775808}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":true}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":[7]}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":{\"digit\":7}}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"label\":\"" + "x".repeat(257) + "\"}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"width\":\"28\"}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"width\":28.5}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"width\":0}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"height\":-28}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"timestamp\":\"yesterday\"}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"timestamp\":1.5}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"timestamp\":-5}"),
            invalid("{\"id\":\"a\"," + U8 + ",\"colour\":1}"),
            invalid("{\"id\":\"a\",\"pixels\":" + repeat("0", 783).replace("]", ",1.5]") + "}"),
            invalid("{\"id\":\"a\",\"pixels\":" + repeat("0", 783).replace("]", ",-0.5]") + "}"),
            invalid("{\"id\":\"a\",\"pixels\":" + repeat("\"0.5\"", 784) + "}"),
            invalid("{\"id\":\"a\",\"pixels\":" + repeat("0", 783).replace("]", ",null]") + "}"),
            invalid("{\"id\":\"a\",\"pixels\":" + repeat("0", 783).replace("]", ",NaN]") + "}"),
            invalid("{\"id\":\"a\",\"pixels\":\"0.5\"}"),
            invalid("{\"id\":\"a\"," + U8.replace('A', '*') + "}"),
            invalid("{\"id\":\"a\"," + U8.replaceFirst("A", "-") + "}"),
            invalid("{\"id\":\"a\"," + U8.replaceFirst("A", "\\\\n") + "}"),
            invalid("{\"id\":\"a\",\"u8\":[1,2,3]}"),
            invalid("{\"id\":\"a\",\"u8\":12}"),
            invalid("{\"id\":\"a\",\"png\":{}}"),
            invalid("[1,2,3]"),
            invalid("\"a string\""),
            invalid("42"),
            invalid("null"),
            invalid("{\"id\":\"a\"," + U8 + "} trailing"),
            invalid("{\"id\":\"a\"," + U8 + ",}"));

    @Test
    void theSchemaAndTheServiceAgreeOnEveryRecordTheModelDoesNotDecide() {
        List<String> disagreements = new ArrayList<>();
        for (Case c : CASES) {
            byte[] bytes = c.json().getBytes(StandardCharsets.UTF_8);
            String service = serviceRefuses(bytes);
            List<String> schema = TopicContract.load().valueErrors(Topics.IMAGES, bytes);
            String shown = c.json().replace(U8, "<u8>").replace(PIXELS, "<pixels>").replace(PNG, "<png>");
            shown = shown.length() > 160 ? shown.substring(0, 80) + "..." + shown.substring(shown.length() - 80) : shown;
            boolean serviceAccepts = c.verdict() == Verdict.VALID;
            boolean schemaAccepts = c.verdict() != Verdict.INVALID;
            if ((service == null) != serviceAccepts) {
                disagreements.add("the service " + (serviceAccepts ? "refuses (" + service + ")" : "accepts") + ": " + shown);
            }
            if (schema.isEmpty() != schemaAccepts) {
                disagreements.add("the schema " + (schemaAccepts ? "refuses " + schema : "accepts") + ": " + shown);
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(CASES.stream().filter(c -> c.verdict() == Verdict.VALID).count()).isGreaterThanOrEqualTo(15);
        assertThat(CASES.stream().filter(c -> c.verdict() == Verdict.INVALID).count()).isGreaterThanOrEqualTo(40);
    }

    /** Why the service refuses {@code value} keyed {@code "k"}, or null when it scores it. */
    static String serviceRefuses(byte[] value) {
        try {
            ImageRecord image = JsonSerde.of(ImageRecord.class).fromBytes(value);
            ImageValidator.validate(new ImageDecoder(), StreamAeSettings.defaults().models(), "k", image, 0);
            return null;
        } catch (SerializationException | InvalidImageException e) {
            return e.getMessage();
        }
    }

    private static Case valid(String json) {
        return new Case(json, Verdict.VALID);
    }

    private static Case invalid(String json) {
        return new Case(json, Verdict.INVALID);
    }

    private static Case integerWithAFraction(String json) {
        return new Case(json, Verdict.ONLY_THE_SERVICE_REFUSES);
    }

    private static String repeat(String value, int n) {
        return "[" + String.join(",", java.util.Collections.nCopies(n, value)) + "]";
    }
}
