package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void flagsOverrideEnvironmentWhichOverridesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trainer.properties");
        Files.writeString(file, """
                # comment
                bootstrap.servers=file:9092
                model.metric=mae
                alert.false.alarm.rate=0.02
                sasl.mechanism=PLAIN
                """);
        Map<String, String> env = Map.of("STREAMAE_MODEL_METRIC", "bce", "STREAMAE_ALERT_FALSE_ALARM_RATE", "0.01",
                "HOME", "/root", "STREAMAE_", "ignored");
        Map<String, String> flags = ConfigLoader.parseAssignments(List.of("alert.false.alarm.rate=0.001"));

        Map<String, String> config = ConfigLoader.load(file, env, flags);

        assertThat(config).containsEntry("bootstrap.servers", "file:9092")
                .containsEntry("model.metric", "bce")
                .containsEntry("alert.false.alarm.rate", "0.001")
                .containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKey("home");
    }

    @Test
    void environmentNamesMapToDottedKeys() {
        assertThat(ConfigLoader.fromEnvironment(Map.of("STREAMAE_BOOTSTRAP_SERVERS", "b:1", "PATH", "/bin")))
                .containsExactly(Map.entry("bootstrap.servers", "b:1"));
    }

    @Test
    void missingFileAndBadAssignmentsFailClearly(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.properties"), Map.of(), Map.of()))
                .hasMessageContaining("nope.properties").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLoader.parseAssignments(List.of("novalue")))
                .hasMessageContaining("key=value");
    }
}
