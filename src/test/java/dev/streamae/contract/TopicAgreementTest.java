package dev.streamae.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.streamae.it.ReadmeSection;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.BadRecordHandlers;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScorerMetrics;
import dev.streamae.streams.ScorerTopology;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TopicDeclaration;
import dev.streamae.streams.TopicDeclarations;
import dev.streamae.streams.Topics;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The topic contract ({@code topics/asyncapi.yaml} and its schemas) is a valid AsyncAPI 3.0
 * document and says what the rest of the project says: the topics of {@link Topics} and
 * {@code topics/topics.json} with their partitions, configs, keys, values, writers and readers,
 * the README's topic table, and the topologies' own sources and sinks. Each check goes topic by
 * topic over the declared topics, so a new topic fails here until all of them describe it.
 */
class TopicAgreementTest {

    private static final TopicContract CONTRACT = TopicContract.load();
    private static final TopicDeclarations DECLARED = TopicDeclarations.load();
    /** The official schema of AsyncAPI 3.0.0 documents, from npm's @asyncapi/specs 6.11.1 (see its NOTICE). */
    private static final String ASYNCAPI_SCHEMA = "classpath:asyncapi/asyncapi-3.0.0.schema.json";
    private static final String README_SECTION = "## Topics and records";
    private static final Pattern README_ROW = Pattern.compile("^\\| `([a-z-]+)` \\|(.*)\\|$", Pattern.MULTILINE);

    @Test
    void isAValidAsyncApi3Document() {
        Schema asyncApi = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of(ASYNCAPI_SCHEMA));
        assertThat(asyncApi.validate(CONTRACT.documentAsJson(), InputFormat.JSON)).isEmpty();
        assertThat(CONTRACT.document().path("asyncapi").asText()).isEqualTo("3.0.0");
    }

    @Test
    void declaresTheSameTopicsInTheSameOrderEverywhere() {
        assertThat(new ArrayList<>(DECLARED.names())).as("topics.json").containsExactlyElementsOf(Topics.ALL);
        assertThat(CONTRACT.topics()).as("AsyncAPI channels").containsExactlyElementsOf(Topics.ALL);
        assertThat(readmeTable().keySet()).as("README topic table").containsExactlyElementsOf(Topics.ALL);
        CONTRACT.document().path("channels").fields().forEachRemaining(e ->
                assertThat(e.getKey()).as("channel id of " + e.getValue().path("address")).isEqualTo(e.getValue()
                        .path("address").asText()));
    }

    @Test
    void partitionsAndTopicConfigsAgree() {
        Map<String, List<String>> readme = readmeTable();
        for (TopicDeclaration t : DECLARED.all()) {
            JsonNode kafka = CONTRACT.channel(t.name()).path("bindings").path("kafka");
            assertThat(kafka.path("partitions").asInt()).as("AsyncAPI partitions of " + t.name()).isEqualTo(t.partitions());
            assertThat(readme.get(t.name()).get(0)).as("README partitions of " + t.name())
                    .isEqualTo(Integer.toString(t.partitions()));
            Map<String, String> configs = new TreeMap<>();
            kafka.path("topicConfiguration").fields().forEachRemaining(c -> configs.put(c.getKey(), c.getValue().isArray()
                    ? stream(c.getValue()).map(JsonNode::asText).collect(Collectors.joining(","))
                    : c.getValue().asText()));
            assertThat(configs).as("AsyncAPI topic configs of " + t.name()).isEqualTo(new TreeMap<>(t.configs()));
        }
    }

    @Test
    void keysAndValuesAgree() {
        Map<String, List<String>> readme = readmeTable();
        for (TopicDeclaration t : DECLARED.all()) {
            JsonNode message = CONTRACT.message(t.name());
            assertThat(message.path("bindings").path("kafka").path("key").path("description").asText())
                    .as("AsyncAPI key of " + t.name()).isEqualTo(t.key());
            assertThat(message.path("summary").asText()).as("AsyncAPI value of " + t.name()).isEqualTo(t.value());
            assertThat(readme.get(t.name()).get(1)).as("README key of " + t.name()).isEqualTo(t.key());
            assertThat(readme.get(t.name()).get(2)).as("README value of " + t.name()).isEqualTo(t.value());
            // A JSON value names its record type, and the schema of the payload is that type's.
            boolean json = t.value().endsWith(" JSON");
            assertThat(message.path("contentType").asText()).as("content type of " + t.name())
                    .isEqualTo(json ? "application/json" : "application/octet-stream");
            if (json) {
                assertThat(CONTRACT.payloadSchema(t.name())).as("payload schema of " + t.name()).hasValueSatisfying(s ->
                        assertThat(s.getSchemaNode().path("title").asString()).isEqualTo(t.value().replace(" JSON", "")));
            } else {
                assertThat(CONTRACT.payloadSchema(t.name())).as("binary payload of " + t.name()).isEmpty();
            }
        }
    }

    @Test
    void writersAndReadersAreTheOperations() {
        Map<String, List<String>> readme = readmeTable();
        for (TopicDeclaration t : DECLARED.all()) {
            assertThat(roles(t.name(), "send")).as("AsyncAPI senders to " + t.name()).isEqualTo(split(t.writers()));
            assertThat(roles(t.name(), "receive")).as("AsyncAPI receivers of " + t.name()).isEqualTo(split(t.readers()));
            assertThat(split(readme.get(t.name()).get(3))).as("README writers of " + t.name()).isEqualTo(split(t.writers()));
            assertThat(split(readme.get(t.name()).get(4))).as("README readers of " + t.name()).isEqualTo(split(t.readers()));
        }
        for (TopicContract.Operation op : CONTRACT.operations()) {
            String verb = op.action().equals("send") ? "send" : "receive";
            assertThat(op.id()).as("operation ids say who does what where")
                    .isIn(op.role() + "-" + verb + "-" + op.topic(), op.role() + "-" + verb + "s-" + op.topic());
        }
    }

    /**
     * Where the code can tell, it does: the topics each topology reads and writes (its source,
     * global-store and sink nodes, and the dead-letter queue its properties name) are exactly those
     * the document has it receive from and send to, and its consumer group is its application id.
     */
    @Test
    void theTopologiesReadAndWriteWhatTheOperationsSay() {
        StreamAeSettings settings = StreamAeSettings.from(Map.of());
        ModelFactory factory = (architecture, metric) -> {
            throw new AssertionError("describing a topology needs no model");
        };
        Topology trainer = TrainerTopology.build(settings, factory, new TrainerMetrics());
        Topology scorer = ScorerTopology.build(settings, new ModelRegistry(settings, factory), new ScorerMetrics());
        Object trainerDlq = StreamsProperties.trainer("b:9092", Map.of(), new AtomicLong())
                .get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        Object scorerDlq = StreamsProperties.scorer("b:9092", Map.of(), new AtomicLong())
                .get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);

        assertThat(topicsOf(trainer, false)).isEqualTo(topicsDone("trainer", "receive"));
        assertThat(with(topicsOf(trainer, true), trainerDlq)).isEqualTo(topicsDone("trainer", "send"));
        assertThat(topicsOf(scorer, false)).isEqualTo(topicsDone("scorer", "receive"));
        assertThat(with(topicsOf(scorer, true), scorerDlq)).isEqualTo(topicsDone("scorer", "send"));

        assertThat(groupId("trainer-receives-images")).isEqualTo(TrainerTopology.APPLICATION_ID);
        assertThat(groupId("scorer-receives-images")).isEqualTo(ScorerTopology.APPLICATION_ID);
        assertThat(groupId("scorer-receives-models")).as("a global store has no group").isEmpty();
    }

    @Test
    void everySchemaFileIsReferencedAndEveryReferenceIsAFile() throws IOException {
        Set<String> referenced = new TreeSet<>();
        collectFileRefs(CONTRACT.document(), referenced);
        Set<String> files;
        try (Stream<Path> list = Files.list(Path.of("topics", "schemas"))) {
            files = list.map(p -> "./schemas/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(referenced).isEqualTo(files);
        for (String ref : referenced) {
            assertThat(CONTRACT.schemaFile(ref).getSchemaNode().path("$schema").asString()).as(ref)
                    .isEqualTo("http://json-schema.org/draft-07/schema#");
        }
    }

    @Test
    void theDocumentsExamplesAreValidRecords() {
        int checked = 0;
        for (String topic : CONTRACT.topics()) {
            for (JsonNode example : CONTRACT.message(topic).path("examples")) {
                String name = topic + " example " + example.path("name").asText();
                if (example.has("payload") && CONTRACT.payloadSchema(topic).isPresent()) {
                    assertThat(CONTRACT.valueErrors(topic, example.path("payload").toString().getBytes(StandardCharsets.UTF_8)))
                            .as(name).isEmpty();
                    checked++;
                }
                if (example.has("headers")) {
                    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
                    example.path("headers").fields().forEachRemaining(h ->
                            headers.add(h.getKey(), h.getValue().asText().getBytes(StandardCharsets.UTF_8)));
                    assertThat(CONTRACT.headerErrors(topic, headers)).as(name + " headers").isEmpty();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theReadmesExampleAlertIsAValidScoreRecord() {
        String json = ReadmeSection.read(README_SECTION).block("json", "\"anomaly\": true").code();
        assertThat(CONTRACT.valueErrors(Topics.ANOMALY_ALERTS, json.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    /** The binary formats' stated bounds are the code's. */
    @Test
    void binaryValuesStateTheCodesFormatAndBounds() {
        JsonNode snapshot = CONTRACT.message(Topics.MODELS).path("payload");
        assertThat(snapshot.path("x-format-version").asInt()).isEqualTo(SnapshotCodec.FORMAT_VERSION);
        assertThat(snapshot.path("x-max-bytes").asText())
                .isEqualTo(DECLARED.get(Topics.MODELS).configs().get("max.message.bytes"));
        JsonNode deadLetter = CONTRACT.message(Topics.IMAGES_DLQ).path("payload");
        assertThat(deadLetter.path("x-max-bytes").asInt()).isEqualTo(BadRecordHandlers.MAX_COPIED_BYTES);
        var headers = CONTRACT.headersSchema(Topics.IMAGES_DLQ).orElseThrow().getSchemaNode().path("properties");
        assertThat(headers.path("__streams.errors.message").path("maxLength").asInt())
                .isEqualTo(BadRecordHandlers.MAX_HEADER_BYTES);
        assertThat(headers.has(BadRecordHandlers.ORIGINAL_KEY_BYTES_HEADER)).isTrue();
        assertThat(headers.has(BadRecordHandlers.ORIGINAL_VALUE_BYTES_HEADER)).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The README's topic table, topic to its other cells (partitions, key, value, writers, readers,
     * notes) with backticks removed and "you" read as "users", the role the declarations call you.
     */
    private static Map<String, List<String>> readmeTable() {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        Matcher m = README_ROW.matcher(ReadmeSection.read(README_SECTION).text());
        while (m.find()) {
            List<String> cells = Arrays.stream(m.group(2).split("\\|")).map(c -> c.replace("`", "").trim()).toList();
            rows.put(m.group(1), cells);
        }
        return rows;
    }

    private static Set<String> split(String roles) {
        return Arrays.stream(roles.split(",")).map(String::trim).map(r -> r.equals("you") ? "users" : r)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> roles(String topic, String action) {
        return CONTRACT.operations().stream().filter(op -> op.topic().equals(topic) && op.action().equals(action))
                .map(TopicContract.Operation::role).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> topicsDone(String role, String action) {
        return CONTRACT.operations().stream().filter(op -> op.role().equals(role) && op.action().equals(action))
                .map(TopicContract.Operation::topic).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The declared topics a topology reads (sources and global stores) or writes (sinks); internal ones left out. */
    private static Set<String> topicsOf(Topology topology, boolean sinks) {
        Set<String> out = new TreeSet<>();
        TopologyDescription description = topology.describe();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (!sinks && node instanceof TopologyDescription.Source source) {
                    out.addAll(source.topicSet());
                } else if (sinks && node instanceof TopologyDescription.Sink sink) {
                    out.add(sink.topic());
                }
            }
        }
        if (!sinks) {
            description.globalStores().forEach(g -> out.addAll(g.source().topicSet()));
        }
        out.retainAll(Topics.ALL);
        return out;
    }

    private static Set<String> with(Set<String> topics, Object deadLetterTopic) {
        Set<String> out = new TreeSet<>(topics);
        if (deadLetterTopic != null) {
            out.add(deadLetterTopic.toString());
        }
        return out;
    }

    private static String groupId(String operation) {
        return CONTRACT.document().path("operations").path(operation).path("bindings").path("kafka")
                .path("groupId").path("default").asText();
    }

    private static void collectFileRefs(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && !ref.asText().startsWith("#")) {
                out.add(ref.asText());
            }
        }
        node.forEach(child -> collectFileRefs(child, out));
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }
}
