package dev.streamae.bench;

import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.StreamsProperties;
import dev.streamae.streams.TrainerMetrics;
import dev.streamae.streams.TrainerTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trainer topology end to end: each run starts a fresh trainer (its own application id and
 * state) on the pre-produced backlog and times it from its first optimiser step (so start-up,
 * group joining and task creation are not counted) until every backlog image was trained, with
 * PyTorch's training measured before the first measured run and after each ({@link RunSeries}).
 */
final class TrainerBench {

    static final String MODEL_NAME = "bench-trainer";

    private TrainerBench() {
    }

    static List<Measure> run(AppRuns runs, BenchKafka.Backlog backlog, MemorySampler memory) throws Exception {
        RunSeries series = new RunSeries(runs, "trainer", runs.torchBeside(TorchRuns.Kind.TRAINING, "trainer"))
                .runAll(() -> runOnce(runs, Map.of("model.name", MODEL_NAME), backlog, () -> { }));
        List<Measure> measures = new ArrayList<>(series.measures("trainer e2e, images -> model (batch 64)", memory != null));
        if (memory != null) {
            measures.add(Measure.megabytes(Checks.TRAINER_HEAP, "trainer heap after GC, max (-Xmx"
                    + Math.round(MemorySampler.maxHeapMb()) + "m)", List.of(memory.maxHeapAfterGcMb())));
            measures.add(Measure.megabytes(Checks.TRAINER_RSS, "trainer resident memory (VmRSS), max",
                    List.of(memory.maxRssMb())));
        }
        return measures;
    }

    /**
     * One run: a fresh trainer with the plan's settings and {@code extra} on {@code backlog};
     * {@code beforeClose} runs once every image was judged, the trainer still up with its models.
     */
    static RunSeries.Result runOnce(AppRuns runs, Map<String, String> extra, BenchKafka.Backlog backlog, Runnable beforeClose)
            throws Exception {
        Map<String, String> config = runs.newApp("trainer", extra);
        BenchKafka.startGroupAt(runs.admin(), config.get("application.id"), backlog.start());
        StreamAeSettings settings = StreamAeSettings.from(config);
        TrainerMetrics metrics = new TrainerMetrics();
        try (StreamsApp app = new StreamsApp("bench-trainer", TrainerTopology.build(settings, runs.models(settings), metrics),
                StreamsProperties.trainer(config.get("bootstrap.servers"), config, metrics.badRecordsCounter()))) {
            app.start(Duration.ofMinutes(2));
            Duration timeout = Duration.ofSeconds(120 + backlog.count() / 200);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (metrics.steps() == 0) {
                waitOrFail(deadline, "the trainer took no step within " + timeout.toSeconds() + " s");
            }
            long t0 = System.nanoTime();
            long cpu0 = ProcessCpu.nanos();
            // Images the calibration flags are judged but not learnt (train.skip.anomalies), so
            // the run ends when every image was either learnt or skipped.
            long e0 = imagesJudged(metrics);
            while (imagesJudged(metrics) < backlog.count()) {
                waitOrFail(deadline, "the trainer judged " + imagesJudged(metrics) + " of " + backlog.count()
                        + " images within " + timeout.toSeconds() + " s");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (backlog.count() - e0) / seconds;
            double cpuPerImage = ProcessCpu.microsPerImage(cpu0, ProcessCpu.nanos(), backlog.count() - e0);
            beforeClose.run();
            return new RunSeries.Result(rate, cpuPerImage, String.format(Locale.ROOT, "%,d images in %.2f s after the "
                    + "first step: %,.0f img/s, %.1f us CPU per image (%d skipped as anomalies, %d bad records)",
                    backlog.count() - e0, seconds, rate, cpuPerImage, metrics.skippedAnomalies(), metrics.badRecords()));
        }
    }

    private static long imagesJudged(TrainerMetrics metrics) {
        return metrics.examplesTrained() + metrics.skippedAnomalies();
    }

    static void waitOrFail(long deadline, String message) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(message);
        }
        Thread.sleep(1);
    }
}
