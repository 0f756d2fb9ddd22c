package dev.streamae.streams;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * StreamAE's topics as declared in {@code topics/topics.json} (on the classpath as
 * {@value #RESOURCE}): the one declaration that code, tests, compose files and docs share.
 *
 * <p>Parsing is strict so that a typo in the file fails loudly instead of silently dropping a setting:
 * unknown fields are errors, names must be non-blank and unique, partitions at least 1. Declaration
 * order is kept (it is the order the docs list them in).
 */
public final class TopicDeclarations {

    /** Where the declaration lives on the classpath. */
    public static final String RESOURCE = "/topics/topics.json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The file's shape: a free-text comment and the list of topics. */
    private record File(String comment, List<TopicDeclaration> topics) {
    }

    private final Map<String, TopicDeclaration> byName;

    private TopicDeclarations(Map<String, TopicDeclaration> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Reads and validates {@value #RESOURCE} from the classpath. */
    public static TopicDeclarations load() {
        try (InputStream in = TopicDeclarations.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("topic declarations " + RESOURCE + " not found on the classpath");
            }
            return parse(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses and validates a declaration; {@code source} names it in error messages.
     *
     * @throws IllegalArgumentException if the JSON is malformed or a declaration is invalid
     */
    public static TopicDeclarations parse(InputStream in, String source) {
        File file;
        try {
            file = MAPPER.readValue(in, File.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid topic declarations in " + source + ": " + e.getMessage(), e);
        }
        if (file == null || file.topics() == null || file.topics().isEmpty()) {
            throw new IllegalArgumentException("no topics declared in " + source);
        }
        Map<String, TopicDeclaration> byName = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (TopicDeclaration t : file.topics()) {
            if (t.name() == null || t.name().isBlank()) {
                problems.add("a topic has no name");
            } else if (byName.putIfAbsent(t.name(), t) != null) {
                problems.add("topic '" + t.name() + "' is declared twice");
            }
            if (t.partitions() < 1) {
                problems.add("topic '" + t.name() + "' must have partitions >= 1, has " + t.partitions());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid topic declarations in " + source + ": " + String.join("; ", problems));
        }
        return new TopicDeclarations(byName);
    }

    /** All declarations, in file order. */
    public List<TopicDeclaration> all() {
        return List.copyOf(byName.values());
    }

    /** Declared names, in file order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** @throws IllegalArgumentException naming the known topics if {@code name} is not declared */
    public TopicDeclaration get(String name) {
        TopicDeclaration t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("topic '" + name + "' is not declared; declared: " + byName.keySet());
        }
        return t;
    }
}
