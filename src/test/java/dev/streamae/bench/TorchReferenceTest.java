package dev.streamae.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real PyTorch reference process ({@code torch_reference.py --serve}): warmed up, measured on
 * demand over its pipe, and telling which OpenBLAS kernel it runs on and whether the environment
 * forced it. Skipped where no python3 imports torch (Debian: {@code apt-get install python3-torch}).
 */
class TorchReferenceTest {

    private static final Duration PASS = Duration.ofMinutes(2);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aWarmProcessMeasuresOnDemandAndTellsWhichOpenBlasKernelTheEnvironmentGaveIt(@TempDir Path dir) {
        TorchReference torch = TorchReference.find(List.of("python3", "/usr/bin/python3"), dir);
        assumeTrue(torch != null, "needs a python3 that imports torch and numpy");

        TorchSetup forced;
        try (TorchSession session = torch.start(1, 1, 1, 1, 1, Map.of("OPENBLAS_CORETYPE", "Haswell"))) {
            forced = session.setup();
            assertThat(session.warmUp("warmup_train_img_per_s")).as("the warm-up epoch ran").isPositive();
            assertThat(session.measure("train", "train_img_per_s", PASS)).isPositive();
            assertThat(session.measure("infer", "infer_img_per_s", PASS)).isPositive();
            long start = System.nanoTime();
            assertThat(session.measure("train 3", "train_img_per_s", PASS)).as("passes repeated in the same process")
                    .isPositive();
            assertThat((System.nanoTime() - start) / 1e9).as("at least 3 s of timed passes").isGreaterThanOrEqualTo(3.0);
            assertThatThrownBy(() -> session.measure("bogus", "train_img_per_s", PASS))
                    .hasMessageContaining("unknown command");
        }
        assertThat(forced.torch()).isNotBlank();
        assertThat(forced.coretypeEnv()).isEqualTo("Haswell");
        assumeTrue(forced.core() != null, "torch runs on OpenBLAS here: " + forced.blas());
        assertThat(forced.core()).isEqualTo("Haswell");
        assertThat(forced.ownCore()).isNotBlank();
        assertThat(forced.kernelForced()).isEqualTo(!forced.ownCore().equals("Haswell"));

        try (TorchSession session = torch.start(1, 1, 1, 0, 1, Collections.singletonMap("OPENBLAS_CORETYPE", null))) {
            TorchSetup own = session.setup();
            assertThat(session.warmUp("warmup_train_img_per_s")).as("no warm-up asked").isNaN();
            assertThat(own.coretypeEnv()).isNull();
            assertThat(own.core()).as("what the forced process was told OpenBLAS picks").isEqualTo(forced.ownCore());
            assertThat(own.kernelForced()).isFalse();
        }
    }
}
