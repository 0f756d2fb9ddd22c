package dev.streamae.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end runs of one app (trainer or scorer): warm-up runs until the JIT compilers settle
 * ({@link WarmUp}), then {@code --repeats} measured ones, each with its rate, CPU per image and
 * the share of its time the compilers worked, and the table rows {@link Checks#e2eKey},
 * {@link Checks#cpuKey}, {@code <app>.warmup.runs} and {@code <app>.jit}.
 */
final class RunSeries {

    /** One run: a fresh app on the backlog. */
    interface Run {
        Result run() throws Exception;
    }

    /**
     * @param summary what the progress line says about the run, e.g. "192,000 images, 55,108 img/s"
     */
    record Result(double rate, double cpuMicrosPerImage, String summary) {
    }

    private final AppRuns runs;
    private final String app;
    private final WarmUp warmUp;
    private final List<Double> rates = new ArrayList<>();
    private final List<Double> cpu = new ArrayList<>();
    private final List<Double> jit = new ArrayList<>();

    RunSeries(AppRuns runs, String app) {
        this.runs = runs;
        this.app = app;
        this.warmUp = new WarmUp(runs.plan().warmupRuns());
    }

    /** Runs until {@code --repeats} runs were measured. */
    RunSeries runAll(Run run) throws Exception {
        while (rates.size() < runs.plan().repeats()) {
            boolean measured = warmUp.done();
            String name = warmUp.nextRunName(rates.size() + 1);
            warmUp.start();
            Result result = run.run();
            double jitShare = warmUp.finish();
            if (measured) {
                rates.add(result.rate());
                cpu.add(result.cpuMicrosPerImage());
                jit.add(100 * jitShare);
            }
            runs.progress(String.format(Locale.ROOT, "%s %s: %s, JIT compiling %.0f%% of the run", app, name,
                    result.summary(), 100 * jitShare));
        }
        return this;
    }

    double medianRate() {
        return Stats.median(rates);
    }

    /**
     * @param rateLabel the rate row's label
     * @param ownJvm whether the app ran in a JVM of its own (else its CPU includes the broker's)
     */
    List<Measure> measures(String rateLabel, boolean ownJvm) {
        List<Measure> measures = new ArrayList<>();
        measures.add(Measure.rate(Checks.e2eKey(app), rateLabel, rates));
        measures.add(Measure.of(Checks.cpuKey(app), app + " CPU per image (" + (ownJvm ? "its JVM" : "whole JVM, broker too") + ")",
                "us", false, cpu));
        if (runs.plan().warmupRuns() > 0) {
            measures.add(warmUp.runsMeasure(app + ".warmup.runs", app));
        }
        measures.add(Measure.of(app + ".jit", app + " JIT compile time, % of a measured run", "%", false, jit));
        return measures;
    }
}
