package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @Test
    void reducedRunPrintsARowPerContaminationAndTheOneClassTableAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("evaluation.json");
        CliRun run = CliRun.of("evaluate", "--rates", "0,0.05", "--images", "6000", "--seeds", "1", "--warmup", "1000",
                "--window", "1000", "--recalibrate-every", "10", "--one-class-epochs", "1", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("alerts at a target false-alarm rate of 0.40%")
                .contains("false-alarm rate (x tgt)").contains("oracle F1").contains("one-class protocol")
                .containsPattern("(?m)^  0\\.00%  ").containsPattern("(?m)^  5\\.00%  ").containsPattern("(?m)^  mean ");

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("settings").get("falseAlarmRate").asDouble()).isEqualTo(0.004);
        JsonNode clean = root.get("alerts").get(0);
        JsonNode dirty = root.get("alerts").get(1);
        assertThat(clean.get("contamination").asDouble()).isZero();
        assertThat(clean.get("anomaliesJudged").asLong()).isZero();
        assertThat(clean.get("recall").isNull()).as("no anomalies, no recall").isTrue();
        for (JsonNode row : root.get("alerts")) {
            assertThat(row.get("falseAlarms").asLong()).isBetween(0L, row.get("normalJudged").asLong());
            assertThat(row.get("caught").asLong()).isBetween(0L, row.get("anomaliesJudged").asLong());
            // Judged from the first calibration after the warm-up on: most of the 6,000 images.
            assertThat(row.get("normalJudged").asLong() + row.get("anomaliesJudged").asLong()).isBetween(3_000L, 5_000L);
        }
        // 5% Fashion among digits: clearly separated, most caught.
        assertThat(dirty.get("auroc").asDouble()).isGreaterThan(0.9);
        assertThat(dirty.get("recall").asDouble()).isGreaterThan(0.5);
        assertThat(dirty.get("f1").asDouble()).isLessThanOrEqualTo(dirty.get("oracleF1").asDouble() + 1e-9);
        assertThat(dirty.get("estimatedContamination").asDouble()).isBetween(0.01, 0.15);
        JsonNode oneClass = root.get("oneClass");
        assertThat(oneClass.get("digits")).hasSize(10);
        for (JsonNode digit : oneClass.get("digits")) {
            assertThat(digit.get("aurocBCE").asDouble()).isBetween(0.0, 1.0);
            assertThat(digit.get("normal").asInt() + digit.get("anomalies").asInt()).isEqualTo(2_000);
        }
        assertThat(oneClass.get("meanAuroc").get("bce").asDouble()).isBetween(0.5, 1.0);
    }

    @Test
    void outOfRangeSettingsAreUsageErrors() {
        assertThat(CliRun.of("evaluate", "--rates", "0.6").err()).contains("--rates must be fractions in [0, 0.5)");
        assertThat(CliRun.of("evaluate", "--false-alarm-rate", "0").err()).contains("--false-alarm-rate must be in (0, 0.5)");
        assertThat(CliRun.of("evaluate", "--images", "1000").err()).contains("leaves too little after a warm-up");
    }
}
