package dev.streamae.cli;

import dev.streamae.image.Datasets;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Autoencoders;
import dev.streamae.model.Dl4jAutoencoder;
import dev.streamae.model.InvalidSnapshotException;
import dev.streamae.model.ModelFigures;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.StreamAeSettings;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamae plot}: the seed's two figures for a snapshot file. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        header = "Draws the seed's two figures for a snapshot file.",
        description = {"Loads a model snapshot file (as written by train) and draws the seed's two figures from the "
                + "held-out MNIST digits and some Fashion-MNIST images.", ""},
        footer = {"", "Files written to --output:",
                "  reconstructions.png  a held-out digit of each class above its reconstruction",
                "  latent-space.png     3-D codes of held-out digits (coloured labels) and",
                "                       of Fashion-MNIST images (black crosses)"})
final class PlotCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--snapshot", paramLabel = "FILE", required = true,
            description = "The snapshot file, e.g. streamae-output/model.snapshot.")
    Path snapshotFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "streamae-output",
            description = "Directory for the figures, created if needed. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        if (!Files.isRegularFile(snapshotFile)) {
            throw new CommandLine.ParameterException(cmd, "--snapshot " + snapshotFile + ": no such file");
        }
        Snapshot snapshot;
        try {
            snapshot = SnapshotCodec.unsigned().read(snapshotFile);
        } catch (UncheckedIOException e) {
            throw new CommandLine.ParameterException(cmd, "cannot read --snapshot " + snapshotFile + ": "
                    + e.getCause().getMessage());
        } catch (InvalidSnapshotException e) {
            throw new CommandLine.ParameterException(cmd, "--snapshot " + snapshotFile + " is not a valid snapshot: "
                    + e.getMessage());
        }
        if (snapshot.architecture().inputSize() != ModelOptions.MNIST_INPUT) {
            throw new CommandLine.ParameterException(cmd, "--snapshot " + snapshotFile + " holds a "
                    + snapshot.architecture() + " model: the figures need 28x28 inputs (784)");
        }
        Path dir = OutputDirectory.create(cmd, output);
        // Learning rate and seed do not matter: every parameter is replaced by the snapshot's.
        Autoencoder net = Autoencoders.fromSnapshot(snapshot, Dl4jAutoencoder.SEED_LEARNING_RATE);
        String what = String.format(Locale.ROOT, "model %s v%d (%s examples)", snapshot.modelName(),
                snapshot.modelVersion(), Format.count(snapshot.examplesSeen()));
        List<Path> written = ModelFigures.writeBoth(net, Datasets.seedSplit(), dir, what);

        PrintWriter out = cmd.getOut();
        out.printf(Locale.ROOT, "%s: %s, metric %s, %s%n", what, snapshot.architecture(), snapshot.metric().id(),
                snapshot.calibration() == null ? "not calibrated" : String.format(Locale.ROOT,
                        "threshold %.6f at a false-alarm rate of %s", snapshot.calibration().threshold(
                                StreamAeSettings.defaults().falseAlarmRate()), StreamAeSettings.defaults().falseAlarmRate()));
        if (!ModelFigures.canDrawLatentSpace(snapshot.architecture())) {
            out.println("no latent-space figure: the code has " + snapshot.architecture().codeSize()
                    + " dimensions, the figure needs 3");
        }
        out.println("wrote:");
        for (Path p : written) {
            out.println("  " + p.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }
}
