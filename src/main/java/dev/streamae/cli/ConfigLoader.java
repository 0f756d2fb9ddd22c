package dev.streamae.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one configuration loader. Layers, each overriding the one before:
 * <ol>
 *   <li>a properties file ({@code config/trainer.properties} and friends, or {@code --config FILE});</li>
 *   <li>environment variables {@code STREAMAE_<KEY>}: upper case, dots as underscores, e.g.
 *       {@code STREAMAE_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers} and
 *       {@code STREAMAE_MODEL_METRIC} sets {@code model.metric};</li>
 *   <li>command-line flags ({@code --set key=value}, and the named flags of each command).</li>
 * </ol>
 * Keys are StreamAE's own (see {@code StreamAeSettings.DEFAULTS}) or any Kafka client or Streams
 * setting, passed through unchanged, security settings included.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "STREAMAE_";

    private ConfigLoader() {
    }

    /** Loads {@code file} (may be null), then {@code env}, then {@code flags}. */
    public static Map<String, String> load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> config = new LinkedHashMap<>();
        if (file != null) {
            config.putAll(readFile(file));
        }
        config.putAll(fromEnvironment(env));
        flags.forEach((k, v) -> {
            if (v != null) {
                config.put(k.trim(), v.trim());
            }
        });
        return config;
    }

    public static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        Map<String, String> out = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k.trim(), props.getProperty(k).trim()));
        return out;
    }

    /** {@code STREAMAE_MODEL_METRIC=bce} becomes {@code model.metric=bce}; other variables are ignored. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                out.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return out;
    }

    /** Parses {@code key=value} flags. */
    public static Map<String, String> parseAssignments(Iterable<String> assignments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            }
            out.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return out;
    }
}
