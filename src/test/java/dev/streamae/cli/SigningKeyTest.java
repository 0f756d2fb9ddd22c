package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A snapshot signing key shorter than 16 bytes stops trainer and scorer at start-up, before any Kafka work. */
class SigningKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"trainer", "scorer"})
    void aShortKeyIsRefusedAtStartUp(String command) {
        CliRun run = CliRun.of(command, "--bootstrap-servers", "127.0.0.1:1", "--set", "snapshot.signing.key=too-short");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("snapshot.signing.key must be at least 16 bytes (UTF-8), got 9")
                .doesNotContain("\tat ");
    }
}
