package dev.streamae.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamae.image.Datasets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Small batches are scored in plain Java, large ones by DL4J: both must say the same. */
class JavaForwardTest {

    @Test
    void smallBatchesScoreLikeDl4jToAboutOneInAMillion() {
        Datasets.Labelled digits = Datasets.mnistTrain().first(400);
        float[][] rows = digits.pixelRows();
        Dl4jAutoencoder model = new Dl4jAutoencoder(Architecture.SEED, ErrorMetric.BCE, 0.005, 3);
        for (int step = 0; step < 5; step++) {
            model.train(Arrays.copyOfRange(rows, step * 64, (step + 1) * 64));
        }
        float[][] some = Arrays.copyOfRange(rows, 320, 320 + Dl4jAutoencoder.JAVA_FORWARD_MAX_ROWS);
        float[][] many = Arrays.copyOfRange(rows, 320, 400);
        Scores java = model.score(some);
        Scores dl4j = model.score(many);
        for (int r = 0; r < some.length; r++) {
            for (int k = 0; k < 3; k++) {
                assertThat(java.codes()[r][k]).isCloseTo(dl4j.codes()[r][k], within(1e-4f));
            }
            for (int i = 0; i < 784; i++) {
                assertThat(java.reconstructions()[r][i]).isCloseTo(dl4j.reconstructions()[r][i], within(1e-5f));
            }
            assertThat(java.errors()[r]).isCloseTo(dl4j.errors()[r], within(1e-5 * dl4j.errors()[r]));
        }
    }

    @Test
    void theJavaPassFollowsTrainingAndRestore() {
        float[][] rows = Datasets.mnistTrain().first(130).pixelRows();
        Dl4jAutoencoder model = new Dl4jAutoencoder(Architecture.SEED, ErrorMetric.MSE, 0.005, 4);
        float[][] one = {rows[129]};
        double before = model.score(one).errors()[0];
        model.train(Arrays.copyOfRange(rows, 0, 64));
        double after = model.score(one).errors()[0];
        assertThat(after).isNotEqualTo(before);
        assertThat(after).isCloseTo(model.score(Arrays.copyOfRange(rows, 100, 130)).errors()[29], within(1e-6));

        Dl4jAutoencoder fresh = new Dl4jAutoencoder(Architecture.SEED, ErrorMetric.MSE, 0.005, 4);
        assertThat(fresh.score(one).errors()[0]).isCloseTo(before, within(1e-9));
        fresh.restore(model.state(false));
        assertThat(fresh.score(one).errors()[0]).isCloseTo(after, within(1e-9));
    }
}
