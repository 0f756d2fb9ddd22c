package dev.streamae.cli;

import dev.streamae.image.Datasets;
import dev.streamae.image.Figures;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.Evaluation;
import dev.streamae.model.ModelFigures;
import dev.streamae.model.OfflineTrainer;
import dev.streamae.model.Snapshot;
import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.StreamAeSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamae train}: the seed tutorial, offline, on the shipped MNIST split. */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Trains the seed autoencoder offline on MNIST; writes a snapshot and figures.",
        description = {"Trains the autoencoder offline on the shipped MNIST split (8,000 digits; every fifth of the "
                + "10,000 is held out), like the seed tutorial. Prints per-epoch training loss, held-out MSE and "
                + "images/s, then the held-out AUROC of each error metric (the 2,000 held-out digits against the "
                + "first 2,000 Fashion-MNIST images).", ""},
        footer = {"", "Files written to --output:",
                "  model.snapshot       model and optimiser state; calibration: the held-out errors",
                "                       of the held-out errors under --metric",
                "  reconstructions.png  a held-out digit of each class above its reconstruction",
                "  latent-space.png     3-D codes of held-out digits (coloured labels) and",
                "                       of Fashion-MNIST images (black crosses)"})
final class TrainCommand implements Callable<Integer> {

    static final String SNAPSHOT_FILE = "model.snapshot";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10",
            description = "Passes over the 8,000 training digits. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "mse", converter = ModelOptions.MetricConverter.class,
            description = "Error metric of the snapshot's threshold and scores: mse, mae or bce. "
                    + "Default: ${DEFAULT-VALUE}.")
    ErrorMetric metric;

    @Option(names = "--false-alarm-rate", paramLabel = "RATE", defaultValue = "0.005",
            description = "Fraction of normal images allowed to raise an alert; the report gives the threshold this "
                    + "means on the held-out digits, in (0, 0.5). Default: ${DEFAULT-VALUE}.")
    double falseAlarmRate;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "streamae-output",
            description = "Directory for the snapshot and the figures, created if needed. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--refresh-figures", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Rewrite reconstructions.png after every epoch, as the seed refreshes its figure "
                    + "(--no-refresh-figures: only at the end). Default: ${DEFAULT-VALUE}.")
    boolean refreshFigures;

    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        model.validate(cmd);
        ModelOptions.requireAtLeast(cmd, "--epochs", epochs, 1);
        ModelOptions.requireFalseAlarmRate(cmd, falseAlarmRate);
        Path dir = OutputDirectory.create(cmd, output);
        PrintWriter out = cmd.getOut();

        Datasets.Split split = Datasets.seedSplit();
        float[][] train = split.train().pixelRows();
        float[][] heldOut = split.heldOut().pixelRows();
        Autoencoder net = model.newModel(metric);
        out.printf(Locale.ROOT, "training %s (%s parameters) on %s digits, %s held out: Adam lr %s, batch %d, "
                        + "seed %d, %d epochs%n", model.layers, Format.count(model.layers.parameterCount()),
                Format.count(train.length), Format.count(heldOut.length), model.learningRate, model.batchSize,
                model.seed, epochs);
        out.flush();
        Path grid = dir.resolve(ModelFigures.RECONSTRUCTIONS);
        OfflineTrainer.Result result = new OfflineTrainer(net, model.batchSize, model.seed)
                .train(train, heldOut, epochs, new EpochPrinter(out, train.length, model.batchSize, epochs) {
                    @Override
                    public void epochDone(OfflineTrainer.EpochResult e) {
                        super.epochDone(e);
                        if (refreshFigures && e.epoch() < epochs) {
                            Figures.write(ModelFigures.reconstructions(net, split.heldOut(),
                                    "held-out digits and reconstructions, after epoch " + e.epoch()), grid);
                        }
                    }
                });
        out.printf(Locale.ROOT, "trained on %s images at %s img/s; held-out MSE %.5f%n",
                Format.count((double) epochs * train.length), Format.count(result.trainImagesPerSecond()),
                result.last().heldOutMse());

        Snapshot snapshot = OfflineTrainer.snapshot(net, StreamAeSettings.defaults().modelName(), heldOut, falseAlarmRate,
                (long) epochs * train.length, Instant.now());
        Path snapshotFile = dir.resolve(SNAPSHOT_FILE);
        SnapshotCodec.unsigned().write(snapshot, snapshotFile);
        List<Path> written = new ArrayList<>(List.of(snapshotFile));
        written.addAll(ModelFigures.writeBoth(net, split, dir, "after epoch " + epochs));
        Map<ErrorMetric, Double> auroc = Evaluation.aurocByMetric(net, heldOut, split.anomalies().pixelRows());

        out.printf(Locale.ROOT, "%nheld-out AUROC: %s MNIST digits (normal) vs %s Fashion-MNIST images (anomalous)%n",
                Format.count(heldOut.length), Format.count(split.anomalies().count()));
        out.println("  metric  AUROC");
        for (ErrorMetric m : ErrorMetric.values()) {
            out.printf(Locale.ROOT, "  %-6s  %s%s%n", m.id(), Format.ratio(auroc.get(m)),
                    m == metric ? "   <- --metric" : "");
        }
        out.printf(Locale.ROOT, "%nthreshold %.6f: a false-alarm rate of %s on the held-out %s errors%n",
                snapshot.calibration().threshold(falseAlarmRate), falseAlarmRate, metric.id());
        if (!ModelFigures.canDrawLatentSpace(model.layers)) {
            out.println("no latent-space figure: the code has " + model.layers.codeSize() + " dimensions, the figure needs 3");
        }
        out.println("wrote:");
        for (Path p : written) {
            out.println("  " + p.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }
}
