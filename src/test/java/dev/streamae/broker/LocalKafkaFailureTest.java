package dev.streamae.broker;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failed starts: a clear error, and nothing left running (no Kafka threads, so no bound ports).
 * No broker is shared here, so any Kafka thread still alive afterwards is a leak.
 */
class LocalKafkaFailureTest {

    @Test
    void busyPortFailsClearlyAndLeavesNothingRunning() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = busy.getLocalPort();
            assertThatThrownBy(() -> LocalKafka.builder().port(port).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("in use");
        }
        assertNoKafkaThreads();
    }

    @Test
    void startupTimeoutFailsClearlyAndLeavesNothingRunning() {
        assertThatThrownBy(() -> LocalKafka.builder().startupTimeout(Duration.ofMillis(1)).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka");
        assertNoKafkaThreads();
    }

    private static void assertNoKafkaThreads() {
        waitUntil("Kafka's threads to end", Duration.ofSeconds(10), () -> kafkaThreads().isEmpty());
    }

    private static List<String> kafkaThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.contains("data-plane") || n.contains("quorum-controller") || n.contains("kafka-request-handler")
                        || n.contains("raft") || n.startsWith("broker-1") || n.startsWith("controller-1") || n.contains("kafka-scheduler"))
                .toList();
    }
}
