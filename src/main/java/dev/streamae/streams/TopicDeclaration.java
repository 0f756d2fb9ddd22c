package dev.streamae.streams;

import java.util.Map;

/**
 * One topic as declared in {@code topics/topics.json}: its name, the partition count to create it
 * with (and the minimum an existing topic must have), the topic configs it must have, and for people
 * what its keys and values are and who writes and reads it.
 *
 * <p>{@code configs} is an unmodifiable map of Kafka topic config names to the exact values; an empty
 * map means "broker defaults, not checked". Validation (name present, partitions >= 1) is
 * {@link TopicDeclarations}' job, so that a bad file gets one message listing every problem.
 */
public record TopicDeclaration(String name, int partitions, Map<String, String> configs,
                               String key, String value, String writers, String readers) {

    public TopicDeclaration {
        configs = configs == null ? Map.of() : Map.copyOf(configs);
    }

    /** The same declaration under another name, e.g. with a per-test prefix. */
    public TopicDeclaration withName(String newName) {
        return new TopicDeclaration(newName, partitions, configs, key, value, writers, readers);
    }

    /** The same declaration with another partition count, e.g. fewer for a demo. */
    public TopicDeclaration withPartitions(int newPartitions) {
        return new TopicDeclaration(name, newPartitions, configs, key, value, writers, readers);
    }
}
