package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code trainer} and {@code scorer} serve {@code /metrics} when {@code prometheus.port} is set: a
 * second process asking for a port already taken stops at once, naming the port, before it joins
 * any group (no broker is needed to see it).
 */
class PrometheusPortTest {

    @TempDir
    Path state;

    @ParameterizedTest
    @ValueSource(strings = {"trainer", "scorer"})
    void aTakenPortStopsTheCommandNamingThePort(String command) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            CliRun run = CliRun.of(command, "--bootstrap-servers", "127.0.0.1:" + closedPort,
                    "--state-dir", state.toString(), "--set", "prometheus.port=" + port);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("prometheus.port " + port + " is in use").doesNotContain("\tat ");
            assertThat(run.out()).doesNotContain("running");
        }
    }
}
