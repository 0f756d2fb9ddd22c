package dev.streamae.model;

import java.util.Locale;

/**
 * The {@code model.engine} setting: which implementation computes the model. {@link #AUTO} runs
 * the vector engine where the JVM and CPU allow it and DL4J otherwise; {@link #VECTOR} and
 * {@link #DL4J} name one engine and nothing else (see {@link Autoencoders#engine(EngineChoice)}).
 */
public enum EngineChoice {
    AUTO, VECTOR, DL4J;

    /** The setting's spelling: {@code auto}, {@code vector}, {@code dl4j}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EngineChoice parse(String value) {
        for (EngineChoice choice : values()) {
            if (choice.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return choice;
            }
        }
        throw new IllegalArgumentException("model.engine must be auto, vector or dl4j, got '" + value + "'");
    }
}
