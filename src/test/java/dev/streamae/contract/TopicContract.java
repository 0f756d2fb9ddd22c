package dev.streamae.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * StreamAE's topic contract as tests read it: the AsyncAPI 3 document {@value #DOCUMENT} and the
 * JSON Schemas (draft-07) it refers to in {@code topics/schemas/}, both on the test classpath
 * because the build copies {@code topics/} there. It answers, per topic, what the document says
 * (its channel, its one message, the key, the payload and headers schemas) and validates record
 * values and headers against them with networknt's validator.
 *
 * <p>A value is checked as Kafka carries it, as bytes: it must be UTF-8 JSON (one document, at most
 * {@value #MAX_DEPTH} levels deep, no NaN) before the schema is applied, and a value that is not
 * counts as refused with that reason. Headers are checked as a JSON object of header name to
 * UTF-8 string (null for a null value; the last of repeated names wins), which is how the
 * document describes them.
 */
public final class TopicContract {

    /** The document's place on the classpath (and, from the project directory, on disk). */
    public static final String DOCUMENT = "topics/asyncapi.yaml";
    /** The schema format the document declares for its JSON Schema files. */
    public static final String JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-07";
    /** Far deeper than any valid record (2); keeps the pre-parse from recursing on hostile input. */
    static final int MAX_DEPTH = 64;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    private static TopicContract loaded;

    private final JsonNode document;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    private final Map<String, Optional<Schema>> payloads = new LinkedHashMap<>();
    private final Map<String, Optional<Schema>> headers = new LinkedHashMap<>();

    private TopicContract(JsonNode document) {
        this.document = document;
    }

    /** The document from the classpath, parsed once. */
    public static synchronized TopicContract load() {
        if (loaded == null) {
            try (InputStream in = TopicContract.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
                if (in == null) {
                    throw new IllegalStateException(DOCUMENT + " is not on the classpath");
                }
                loaded = new TopicContract(YAML.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + DOCUMENT, e);
            }
        }
        return loaded;
    }

    /** One operation of the document: who (its tag) sends to or receives from which topic. */
    public record Operation(String id, String role, String action, String topic) {
    }

    public JsonNode document() {
        return document;
    }

    /** The document as JSON text, for validators that take JSON. */
    public String documentAsJson() {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code node} itself, or what its {@code $ref} to a place in this document points at. */
    public JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null || !ref.asText().startsWith("#/")) {
            return node;
        }
        JsonNode target = document.at(ref.asText().substring(1).replace("~1", "/").replace("~0", "~"));
        if (target.isMissingNode()) {
            throw new AssertionError("unresolved reference " + ref.asText() + " in " + DOCUMENT);
        }
        return resolve(target);
    }

    /** The channel addresses (topic names), in document order. */
    public List<String> topics() {
        List<String> out = new ArrayList<>();
        document.path("channels").forEach(c -> out.add(c.path("address").asText()));
        return out;
    }

    /** The channel whose address is {@code topic}. */
    public JsonNode channel(String topic) {
        for (JsonNode c : document.path("channels")) {
            if (c.path("address").asText().equals(topic)) {
                return c;
            }
        }
        throw new AssertionError("no channel for topic " + topic + " in " + DOCUMENT);
    }

    /** The one message a topic carries (the document declares exactly one per channel). */
    public JsonNode message(String topic) {
        JsonNode messages = channel(topic).path("messages");
        if (messages.size() != 1) {
            throw new AssertionError("channel " + topic + " declares " + messages.size() + " messages, expected one");
        }
        return resolve(messages.elements().next());
    }

    /** Every operation, with the role named by its one tag and its channel's topic. */
    public List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        document.path("operations").fields().forEachRemaining(e -> {
            JsonNode op = e.getValue();
            JsonNode tags = op.path("tags");
            if (tags.size() != 1) {
                throw new AssertionError("operation " + e.getKey() + " has " + tags.size() + " tags, expected its role");
            }
            String role = resolve(tags.get(0)).path("name").asText();
            String topic = resolve(op.path("channel")).path("address").asText();
            out.add(new Operation(e.getKey(), role, op.path("action").asText(), topic));
        });
        return out;
    }

    /** The JSON Schema of a topic's values, or empty when its values are binary. */
    public Optional<Schema> payloadSchema(String topic) {
        return payloads.computeIfAbsent(topic, t -> schemaOf(message(t).path("payload")));
    }

    /** The JSON Schema of a topic's headers, or empty when the document leaves them open. */
    public Optional<Schema> headersSchema(String topic) {
        return headers.computeIfAbsent(topic, t -> schemaOf(message(t).path("headers")));
    }

    /**
     * A schema as the document gives it: a schema file by reference (with the JSON Schema format),
     * an inline schema, nothing (empty), or a binary payload (empty: there is no JSON to check).
     */
    private Optional<Schema> schemaOf(JsonNode node) {
        if (node.isMissingNode() || "binary".equals(node.path("format").asText())) {
            return Optional.empty();
        }
        if (node.has("schemaFormat")) {
            if (!JSON_SCHEMA_FORMAT.equals(node.path("schemaFormat").asText())) {
                throw new AssertionError("unexpected schema format " + node.path("schemaFormat"));
            }
            return Optional.of(schemaFile(node.path("schema").path("$ref").asText()));
        }
        try {
            return Optional.of(registry.getSchema(JSON.writeValueAsString(node), InputFormat.JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A schema file by its path relative to the document, e.g. {@code ./schemas/image-record.schema.json}. */
    public Schema schemaFile(String relativePath) {
        String path = relativePath.startsWith("./") ? relativePath.substring(2) : relativePath;
        if (path.isEmpty() || path.startsWith("/") || path.contains("..")) {
            throw new AssertionError("schema reference " + relativePath + " is not a file beside " + DOCUMENT);
        }
        return registry.getSchema(SchemaLocation.of("classpath:topics/" + path));
    }

    /** Why {@code value} is not a valid value of {@code topic}; empty when it is (or the topic is binary). */
    public List<String> valueErrors(String topic, byte[] value) {
        Optional<Schema> schema = payloadSchema(topic);
        return schema.isEmpty() ? List.of() : errors(schema.get(), value);
    }

    /** Why {@code value} is not valid under {@code schema}, starting with its not being UTF-8 JSON. */
    public static List<String> errors(Schema schema, byte[] value) {
        if (value == null) {
            return List.of("null value");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            try (JsonParser parser = JSON.createParser(text)) {
                if (parser.nextToken() == null) {
                    return List.of("empty value");
                }
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    return List.of("not one JSON document: more after the first value");
                }
            }
        } catch (CharacterCodingException e) {
            return List.of("not UTF-8");
        } catch (JsonProcessingException e) {
            return List.of("not one JSON document: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return messages(schema.validate(text, InputFormat.JSON));
    }

    /** Why {@code headers} do not match the topic's headers schema; empty when they do or it has none. */
    public List<String> headerErrors(String topic, Headers headers) {
        Optional<Schema> schema = headersSchema(topic);
        if (schema.isEmpty()) {
            return List.of();
        }
        try {
            return messages(schema.get().validate(JSON.writeValueAsString(headersAsJson(headers)), InputFormat.JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Headers as the document describes them: name to UTF-8 string, null for a null value, the last one winning. */
    public static ObjectNode headersAsJson(Headers headers) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Header h : headers) {
            if (h.value() == null) {
                out.putNull(h.key());
            } else {
                out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static List<String> messages(List<Error> errors) {
        return errors.stream().map(Error::toString).toList();
    }
}
