package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @Test
    void reducedReplayPrintsOneRowPerMetricAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("evaluation.json");
        CliRun run = CliRun.of("evaluate", "--limit", "1200", "--warmup", "400", "--window", "400",
                "--anomaly-rate", "0.05", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        // 1,200 digits at 5% anomalies: round(1200 * 0.05 / 0.95) = 63 Fashion images.
        assertThat(run.out()).contains("replaying 1,200 digits with 63 Fashion-MNIST images injected");
        Map<String, Double> auroc = TrainAndPlotCommandTest.aurocTable(run.out());
        assertThat(auroc).containsOnlyKeys("mse", "mae", "bce");
        assertThat(auroc.values()).allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
        assertThat(Collections.max(auroc.values())).isGreaterThan(0.8);

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("images").asInt()).isEqualTo(1_263);
        assertThat(root.get("anomalies").asInt()).isEqualTo(63);
        // The first batch scored after 400 examples starts at 448 (batches of 64).
        assertThat(root.get("evaluatedImages").asInt()).isEqualTo(1_263 - 448);
        for (String metric : new String[] {"mse", "mae", "bce"}) {
            JsonNode row = root.get("metrics").get(metric);
            assertThat(row.get("auroc").asDouble()).isEqualTo(auroc.get(metric), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(row.get("alerts").asLong())
                    .isEqualTo(row.get("truePositives").asLong() + row.get("falsePositives").asLong());
        }
    }
}
