package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training and scoring throughput of the seed network at given batch sizes, on the shipped MNIST
 * training digits. Each measurement runs after a warm-up pass (JIT, ND4J workspaces) and repeats
 * for a minimum time, reporting the best of a few rounds: on a shared machine the best round is the
 * closest to the model's own cost. It also reports images per CPU-second of the calling thread,
 * which other processes disturb far less than wall time (with {@code OMP_NUM_THREADS=1} ND4J
 * computes on the calling thread; garbage collection and deallocation threads are not counted).
 * Run with {@code OMP_NUM_THREADS=1}:
 * {@code java -cp target/classes:$(cat cp.txt) dev.streamae.model.ThroughputBenchmark 64 256}.
 */
public final class ThroughputBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(ThroughputBenchmark.class);
    private static final long ROUND_NANOS = 2_000_000_000L;
    private static final int ROUNDS = 3;

    private ThroughputBenchmark() {
    }

    /** Images per second for one operation at one batch size: best round and median round. */
    public record Measurement(String operation, int batchSize, double bestImagesPerSecond,
            double medianImagesPerSecond, double imagesPerCpuSecond) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s batch %d: %.0f img/s best, %.0f median, %.0f img per CPU-second",
                    operation, batchSize, bestImagesPerSecond, medianImagesPerSecond, imagesPerCpuSecond);
        }
    }

    public static void main(String[] args) {
        int[] batchSizes = args.length == 0 ? new int[] {64, 256} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (Measurement m : run(batchSizes)) {
            LOG.info("{}", m);
        }
    }

    public static List<Measurement> run(int... batchSizes) {
        float[][] rows = Datasets.mnistTrain().pixelRows();
        Dl4jAutoencoder model = Dl4jAutoencoder.seed(1);
        List<Measurement> results = new ArrayList<>();
        for (int batchSize : batchSizes) {
            results.add(measure("train", batchSize, rows, batch -> model.train(batch)));
            results.add(measure("score", batchSize, rows, batch -> model.score(batch)));
        }
        return results;
    }

    private static Measurement measure(String operation, int batchSize, float[][] rows,
            Consumer<float[][]> op) {
        int batches = rows.length / batchSize;
        float[][][] prepared = new float[batches][][];
        for (int b = 0; b < batches; b++) {
            prepared[b] = Arrays.copyOfRange(rows, b * batchSize, (b + 1) * batchSize);
        }
        for (float[][] batch : prepared) {
            op.accept(batch);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long totalImages = 0;
        double[] rates = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long images = 0;
            long start = System.nanoTime();
            long elapsed;
            int b = 0;
            do {
                op.accept(prepared[b]);
                b = (b + 1) % batches;
                images += batchSize;
                elapsed = System.nanoTime() - start;
            } while (elapsed < ROUND_NANOS);
            rates[round] = images / (elapsed / 1e9);
            totalImages += images;
        }
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        Arrays.sort(rates);
        return new Measurement(operation, batchSize, rates[ROUNDS - 1], rates[ROUNDS / 2], totalImages / cpuSeconds);
    }
}
