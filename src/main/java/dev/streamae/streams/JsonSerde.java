package dev.streamae.streams;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one JSON serde for StreamAE's message records. Any failure, in either direction, is wrapped
 * in a {@link SerializationException} naming the type, so Kafka Streams' deserialization handler
 * routes the raw record to the dead-letter queue with that message as its reason.
 *
 * <p>Parsing is strict (unknown fields, NaN and trailing tokens are errors, and so are values of the
 * wrong JSON type: {@code "width":"28"}, {@code "pixels":["0.5", ...]} or {@code "id":12345} are
 * rejected, not coerced) and bounded: nesting depth and string and number lengths are capped, so a
 * hostile record cannot exhaust the stack or the heap. The size of a whole record is bounded by the
 * broker's {@code message.max.bytes}.
 */
public final class JsonSerde<T> implements Serde<T> {

    /** Deepest nesting a valid record needs is 2; anything far beyond that is hostile. */
    private static final int MAX_NESTING = 16;
    /** A 28x28 PNG in base64 is a few kB; 16 MB leaves room for large images and no more. */
    private static final int MAX_STRING_LENGTH = 16 << 20;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // No "28" for a number or "true" for a boolean ...
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Speed, for the scorer writes a score per image and may read 784 numbers per image:
            // Schubfach/fast_float instead of the JDK's number formatting and parsing (same
            // values; shortest round-trip text), and generated accessors instead of reflection.
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .addModule(new BlackbirdModule())
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(64)
                .build());
        // ... and no number or boolean for a string (Jackson accepts those by default).
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public byte[] toBytes(T value) {
        try {
            return value == null ? null : MAPPER.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON: " + e.getMessage(), e);
        }
    }

    public T fromBytes(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return MAPPER.readValue(bytes, type);
        } catch (Exception e) {
            throw new SerializationException("not a valid " + type.getSimpleName() + " JSON record: "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> toBytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> fromBytes(bytes);
    }
}
