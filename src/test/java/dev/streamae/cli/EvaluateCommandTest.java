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
        // The change right after a calibration (batch 49 ends at image 3,200), as the trainer's
        // 50-batch interval leaves the detector time to suspect it before the next one.
        CliRun run = CliRun.of("evaluate", "--rates", "0,0.05", "--images", "6000", "--seeds", "2", "--warmup", "1000",
                "--window", "1000", "--recalibrate-every", "10", "--drift-scenarios", "digits-to-fashion",
                "--drift-policies", "hold", "--drift-at", "3200", "--drift-after", "3000", "--one-class-epochs", "1",
                "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("alerts at a target false-alarm rate of 0.40%")
                .contains("false-alarm rate (x tgt)").contains("oracle F1").contains("drift events")
                .contains("one-class protocol").containsPattern("(?m)^  0\\.00%  ").containsPattern("(?m)^  5\\.00%  ")
                .containsPattern("(?m)^  mean ")
                .contains("drift digits-to-fashion (MNIST digits, then Fashion-MNIST; anomalies the other set): the "
                        + "change at image 3,200, 3,000 images after it")
                .containsPattern("(?m)^  hold    1     \\+[0-9,]+ ")
                .contains("feedback: Fashion-MNIST dress images among MNIST digits at 3.00%")
                .containsPattern("(?m)^  none  ").containsPattern("(?m)^  answers 20\\.00%  ").containsPattern("(?m)^  lift  ");

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
            // Judged from the first calibration after the warm-up on: most of the 6,000 images of each seed.
            assertThat(row.get("normalJudged").asLong() + row.get("anomaliesJudged").asLong())
                    .isBetween(2 * 3_000L, 2 * 5_000L);
        }
        // 5% Fashion among digits: clearly separated, most caught.
        assertThat(dirty.get("auroc").asDouble()).isGreaterThan(0.9);
        assertThat(dirty.get("recall").asDouble()).isGreaterThan(0.5);
        assertThat(dirty.get("f1").asDouble()).isLessThanOrEqualTo(dirty.get("oracleF1").asDouble() + 1e-9);
        assertThat(dirty.get("estimatedContamination").asDouble()).isBetween(0.01, 0.15);
        for (JsonNode row : root.get("alerts")) {
            assertThat(row.get("driftEvents").asLong()).as("stationary streams").isZero();
        }

        JsonNode drift = root.get("drift");
        assertThat(drift).hasSize(1);
        JsonNode hold = drift.get(0);
        assertThat(hold.get("policy").asText()).isEqualTo("hold");
        assertThat(hold.get("blocksAfterChange")).hasSize(3);
        assertThat(hold.get("runs")).hasSize(2);
        long afterHold = 0;
        for (JsonNode seedRun : hold.get("runs")) {
            // Every image of the new normal is above the digits' median error: held about 400 images in.
            assertThat(seedRun.get("heldAfter").asLong()).isBetween(300L, 2_000L);
            assertThat(seedRun.get("eventsBeforeChange").asLong()).isZero();
            afterHold += 3_000 - seedRun.get("heldAfter").asLong() - 1;
        }
        assertThat(hold.get("judgedAfterHold").asLong()).as("both seeds, every image after the hold").isEqualTo(afterHold);
        assertThat(hold.get("blocksAfterChange").get(0).get("normalJudged").asLong()).as("both seeds pooled")
                .isBetween(2 * 900L, 2 * 1_000L);
        assertThat(hold.get("alertRateAfterHold").asDouble()).as("alerts go on").isGreaterThan(0.5);
        assertThat(hold.get("underTwiceTargetFrom").isNull()).as("nothing is re-fitted under hold").isTrue();

        JsonNode feedback = root.get("feedback");
        assertThat(feedback.get("anomalies").asText()).isEqualTo("fashion-dress");
        assertThat(feedback.get("withoutFeedback").get("caught").asLong()).isPositive();
        JsonNode answered = feedback.get("withFeedback");
        long verdicts = answered.get("verdictsNormal").asLong() + answered.get("verdictsAnomaly").asLong();
        long alerts = answered.get("caught").asLong() + answered.get("falseAlarms").asLong();
        assertThat(verdicts).as("a fifth of the alerts").isBetween(alerts / 10, alerts * 3 / 10);
        assertThat(feedback.get("precisionLift").isNumber()).isTrue();

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
