package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code model.engine=vector} in a JVM without the Vector API stops trainer and scorer at start-up,
 * before any Kafka work, naming the flag to add. The test JVM has the module, so this runs the
 * command in a JVM of its own started without {@code --add-modules jdk.incubator.vector}.
 */
class EngineSettingTest {

    @ParameterizedTest
    @ValueSource(strings = {"trainer", "scorer"})
    void vectorWithoutTheModuleIsRefusedAtStartUp(String command) throws Exception {
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), StreamAeCommand.class.getName(),
                command, "--bootstrap-servers", "127.0.0.1:1", "--set", "model.engine=vector"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isEqualTo(1);
        assertThat(err).contains("streamae " + command + ": model.engine=vector, but the JVM was started without "
                + "--add-modules jdk.incubator.vector").doesNotContain("\tat ");
    }
}
