package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.contract.TopicContract;
import dev.streamae.image.Datasets;
import dev.streamae.image.ImageDecoder;
import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of image record the shipped producer ({@code streamae produce} and the demo, both
 * through {@link ImageStream} and the JSON serde) writes is a valid ImageRecord of the topic
 * contract: each dataset in each pixel encoding, with Fashion-MNIST anomalies injected, and a
 * folder of PNG files. {@code ProduceAndDemoCommandTest} checks the same of what the command
 * really sends through a broker.
 */
class ProducedImagesContractTest {

    private static final int PER_STREAM = 40;

    @Test
    void everyDatasetInEveryEncodingGivesValidImageRecords() {
        List<String> invalid = new ArrayList<>();
        int checked = 0;
        for (String dataset : List.of("mnist", "mnist-train", "mnist-heldout", "fashion")) {
            for (ImageStream.Encoding encoding : ImageStream.Encoding.values()) {
                ImageStream stream = ImageStream.ofDataset(dataset, 0.25, encoding, 7, "p-");
                checked += check(stream, dataset + "/" + encoding, invalid);
            }
        }
        assertThat(invalid).isEmpty();
        assertThat(checked).isEqualTo(4 * 3 * PER_STREAM);
    }

    @Test
    void aFolderOfPngFilesGivesValidImageRecords(@TempDir Path dir) throws Exception {
        Datasets.Labelled digits = Datasets.mnistHeldOut();
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve("digit-" + i + ".png"), ImageDecoder.pngBytes(digits.images().pixels(i), 28, 28));
        }
        List<String> invalid = new ArrayList<>();
        assertThat(check(ImageStream.ofPngFolder(dir, 0.25, 7, ""), "folder", invalid)).isEqualTo(PER_STREAM);
        assertThat(invalid).isEmpty();
    }

    private static int check(ImageStream stream, String name, List<String> invalid) {
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        boolean injected = false;
        for (int i = 0; i < PER_STREAM; i++) {
            ImageStream.Next next = stream.next();
            injected |= next.injected();
            List<String> errors = TopicContract.load().valueErrors(Topics.IMAGES, serde.toBytes(next.image()));
            if (!errors.isEmpty()) {
                invalid.add(name + " " + next.image().id() + ": " + errors);
            }
        }
        assertThat(injected).as(name + " has injected anomalies").isTrue();
        return PER_STREAM;
    }
}
