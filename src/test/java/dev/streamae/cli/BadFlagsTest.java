package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad flags end with exit code 2, a message naming the problem and the usage, never a stack trace. */
class BadFlagsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --epochs 0                 | --epochs must be at least 1, got 0",
        "train --epochs ten               | Invalid value for option '--epochs'",
        "train --layers 784-abc-3         | layer sizes must look like 784-128-64-12-3",
        "train --layers 100-10-3          | --layers must start with 784",
        "train --metric rmse              | unknown error metric 'rmse': use mse, mae or bce",
        "train --learning-rate 2          | --learning-rate must be in (0, 1), got 2.0",
        "train --batch-size 0             | --batch-size must be at least 1, got 0",
        "train --false-alarm-rate 0.5     | --false-alarm-rate must be in (0, 0.5), got 0.5",
        "train --bogus                    | Unknown option: '--bogus'",
        "evaluate --rates 0.03,0.6        | --rates must be fractions in [0, 0.5), got [0.03, 0.6]",
        "evaluate --images 2500           | --images 2500 leaves too little after a warm-up of 2000",
        "evaluate --window 0              | --window must be at least 200, got 0",
        "evaluate --seeds 0               | --seeds must be at least 1, got 0",
        "evaluate --drift-scenarios upside-down | --drift-scenarios: unknown drift scenario upside-down (known: digits-0-4-to-5-9, digits-to-fashion), or none",
        "evaluate --drift-policies adapt,freeze | --drift-policies must be adapt, hold or both, got adapt,freeze",
        "evaluate --drift-at 2500         | --drift-at 2500 leaves too little before the change after a warm-up of 2000",
        "evaluate --drift-after 10        | --drift-after must be at least 1000, got 10",
        "evaluate --drift-anomaly-rate 0.5 | --drift-anomaly-rate must be in [0, 0.5), got 0.5",
        "evaluate --feedback-share 1.5    | --feedback-share must be in [0, 1], got 1.5",
        "evaluate --feedback-delay 0      | --feedback-delay must be at least 1, got 0",
        "evaluate --feedback-anomalies hat | --feedback-anomalies must be a Fashion-MNIST class (t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle-boot), got hat",
        "evaluate --feedback-anomaly-rate 0 | --feedback-anomaly-rate must be in (0, 0.5), got 0.0",
        "plot                             | Missing required option: '--snapshot=FILE'",
        "plot --snapshot /nonexistent/x   | --snapshot /nonexistent/x: no such file",
    })
    void badFlagsGiveExitCodeTwoAndAUsageMessage(String args, String message) {
        CliRun run = CliRun.of(args.trim().split("\\s+"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("Usage: streamae ").doesNotContain("Exception:")
                .doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }
}
