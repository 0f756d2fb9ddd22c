package dev.streamae.cli;

import dev.streamae.model.OfflineTrainer;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows offline training on the console: a progress bar per epoch on a terminal, and one summary
 * line per epoch (training loss, held-out MSE, images/s) everywhere.
 */
class EpochPrinter implements OfflineTrainer.Listener {

    private final PrintWriter out;
    private final ProgressBar bar;
    private final int rows;
    private final int batchSize;
    private final int epochs;
    private long epochStart;

    EpochPrinter(PrintWriter out, int rows, int batchSize, int epochs) {
        this.out = out;
        this.bar = ProgressBar.onConsole(out);
        this.rows = rows;
        this.batchSize = batchSize;
        this.epochs = epochs;
    }

    @Override
    public void epochStarted(int epoch) {
        epochStart = System.nanoTime();
    }

    @Override
    public void batchDone(int epoch, int batch, int batchesPerEpoch, double loss) {
        long done = Math.min(rows, (long) (batch + 1) * batchSize);
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        bar.update(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), done, rows, done / seconds);
    }

    @Override
    public void epochDone(OfflineTrainer.EpochResult e) {
        bar.clear();
        int width = Integer.toString(epochs).length();
        out.printf(Locale.ROOT, "epoch %" + width + "d/%d  train loss %.5f  held-out MSE %.5f  %s img/s%n", e.epoch(),
                epochs, e.meanTrainLoss(), e.heldOutMse(), Format.count(e.imagesPerSecond()));
        out.flush();
    }
}
