package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code streamae models} without a broker: what it says when Kafka does not answer within
 * {@code --timeout}, and the refusals it makes before reaching Kafka. Against a real broker and a
 * running scorer it is tested by {@code ModelPinningTest}.
 */
class ModelsCommandTest {

    @Test
    void anUnreachableBrokerEndsInTimeWithAClearMessage() {
        long start = System.nanoTime();
        CliRun run = CliRun.of("models", "list", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(run.exitCode()).isEqualTo(ModelsCommand.REFUSED);
        assertThat(run.err()).contains("streamae models list: timed out after 2 s reading topic training-metrics")
                .contains("bootstrap.servers");
        assertThat(took).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void anInvalidModelNameIsRefusedBeforeKafkaIsAsked() {
        CliRun run = CliRun.of("models", "pin", "../etc", "3", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "30");
        assertThat(run.exitCode()).isEqualTo(ModelsCommand.UNKNOWN);
        assertThat(run.err()).contains("may only hold letters, digits");
    }
}
