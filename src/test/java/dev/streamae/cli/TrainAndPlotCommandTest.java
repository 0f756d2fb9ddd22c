package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.image.Figures;
import dev.streamae.model.Architecture;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.ModelFigures;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --epochs 1} on the real data, once, then checks of what it wrote and of {@code plot}. */
class TrainAndPlotCommandTest {

    private static final Pattern AUROC_ROW = Pattern.compile("(?m)^\\s+(mse|mae|bce)\\s+([0-9.]+)");

    @TempDir
    static Path dir;
    private static CliRun train;

    @BeforeAll
    static void trainOneEpoch() {
        train = CliRun.of("train", "--epochs", "1", "--output", dir.resolve("out").toString());
    }

    @Test
    void exitsZeroAndPrintsEpochLinesAndTheAurocTable() {
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("epoch 1/1  train loss ").contains("held-out MSE").contains("img/s")
                .contains("held-out AUROC").doesNotContain("\r");
        Map<String, Double> auroc = aurocTable(train.out());
        assertThat(auroc).containsOnlyKeys("mse", "mae", "bce");
        assertThat(auroc.values()).allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
        assertThat(Collections.max(auroc.values())).isGreaterThan(0.8);
        assertThat(train.out()).contains(dir.resolve("out").resolve("model.snapshot").toAbsolutePath().toString());
    }

    @Test
    void writesADecodableSnapshotWithOptimiserStateAndHeldOutThreshold() throws Exception {
        Snapshot snapshot = SnapshotCodec.unsigned().read(dir.resolve("out").resolve(TrainCommand.SNAPSHOT_FILE));
        assertThat(snapshot.architecture()).isEqualTo(Architecture.SEED);
        assertThat(snapshot.metric()).isEqualTo(ErrorMetric.MSE);
        assertThat(snapshot.hasOptimiserState()).isTrue();
        assertThat(snapshot.examplesSeen()).isEqualTo(8_000);
        assertThat(snapshot.steps()).isEqualTo(125);
        assertThat(snapshot.alerting()).isTrue();
        assertThat(snapshot.calibration().windowCount()).isEqualTo(2_000);
        // Held-out digits are all normal: the calibration finds (almost) no contamination, and about
        // 0.5% of them lie above the threshold at the default false-alarm rate.
        assertThat(snapshot.calibration().contamination()).isLessThan(0.02);
        assertThat(snapshot.calibration().threshold(0.005)).isGreaterThan(snapshot.calibration().threshold(0.05));
    }

    @Test
    void writesBothFiguresAtTheirExpectedSizes() throws Exception {
        assertFigures(dir.resolve("out"));
    }

    @Test
    void plotDrawsBothFiguresFromTheSnapshotTrainWrote() throws Exception {
        Path out = dir.resolve("plot");
        CliRun plot = CliRun.of("plot", "--snapshot", dir.resolve("out").resolve("model.snapshot").toString(),
                "--output", out.toString());
        assertThat(plot.exitCode()).as(plot.err()).isZero();
        assertThat(plot.out()).contains("model streamae v1 (8,000 examples)").contains("latent-space.png");
        assertFigures(out);
    }

    @Test
    void plotRejectsAFileThatIsNoSnapshot() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.snapshot"), "not a snapshot");
        CliRun plot = CliRun.of("plot", "--snapshot", garbage.toString(), "--output", dir.resolve("x").toString());
        assertThat(plot.exitCode()).isEqualTo(2);
        assertThat(plot.err()).contains("is not a valid snapshot: not a StreamAE snapshot").contains("Usage:")
                .doesNotContain("\tat ");
    }

    private static void assertFigures(Path out) throws Exception {
        BufferedImage grid = ImageIO.read(out.resolve(ModelFigures.RECONSTRUCTIONS).toFile());
        BufferedImage scatter = ImageIO.read(out.resolve(ModelFigures.LATENT_SPACE).toFile());
        // The expected sizes are those of the same figures drawn from blank data (the grid's width
        // depends on the font's caption width).
        float[] blank = new float[784];
        BufferedImage expectedGrid = Figures.reconstructionGrid(Collections.nCopies(10, blank),
                Collections.nCopies(10, blank), 28, "t");
        BufferedImage expectedScatter = Figures.latentScatter(new float[][] {{0, 0, 0}}, null, null, "t");
        assertThat(grid).isNotNull();
        assertThat(scatter).isNotNull();
        assertThat(new int[] {grid.getWidth(), grid.getHeight()})
                .containsExactly(expectedGrid.getWidth(), expectedGrid.getHeight());
        assertThat(new int[] {scatter.getWidth(), scatter.getHeight()})
                .containsExactly(expectedScatter.getWidth(), expectedScatter.getHeight());
    }

    static Map<String, Double> aurocTable(String out) {
        Map<String, Double> rows = new LinkedHashMap<>();
        Matcher m = AUROC_ROW.matcher(out);
        while (m.find()) {
            rows.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return rows;
    }
}
