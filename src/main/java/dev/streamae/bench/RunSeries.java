package dev.streamae.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The end-to-end runs of one app (trainer or scorer): warm-up runs until the JIT compilers settle
 * ({@link WarmUp}), then {@code --repeats} measured ones, each with its rate, CPU per image and
 * the share of its time the compilers worked, and the table rows {@link Checks#e2eKey},
 * {@link Checks#cpuKey}, {@code <app>.warmup.runs} and {@code <app>.jit}.
 *
 * <p>With a {@link Reference} (PyTorch), the reference is measured right before the first
 * measured run and right after each one: R A R A R A R. Each run is then compared with the mean of
 * the two reference measurements around it, taken under the same machine conditions minutes
 * apart at most, rather than with a reference measured long before, cold, under other load (the
 * 2-core machine is shared, and its speed drifts by 20% and more over a bench). Rows
 * {@link Checks#torchKey} (the reference's measurements) and {@link Checks#pairsKey} (each run's
 * ratio to the reference around it).
 */
final class RunSeries {

    /** One run: a fresh app on the backlog. */
    interface Run {
        Result run() throws Exception;
    }

    /** What the app's measured runs are compared with. */
    interface Reference {
        /**
         * One measurement, images/s.
         *
         * @param moment where it falls, e.g. "before run 1", for the progress line
         */
        double measure(String moment) throws Exception;

        /** The label of the row of its measurements, which say where they were taken. */
        String label();

        /** Further rows (e.g. per thread count), keys starting with {@code keyPrefix}. */
        default List<Measure> details(String keyPrefix) {
            return List.of();
        }
    }

    /**
     * @param summary what the progress line says about the run, e.g. "192,000 images, 55,108 img/s"
     */
    record Result(double rate, double cpuMicrosPerImage, String summary) {
    }

    private final String app;
    private final int repeats;
    private final WarmUp warmUp;
    private final Consumer<String> progress;
    private final Reference reference;
    private final List<Double> rates = new ArrayList<>();
    private final List<Double> cpu = new ArrayList<>();
    private final List<Double> jit = new ArrayList<>();
    private final List<Double> referenceRates = new ArrayList<>();

    /** @param reference measured beside the measured runs, or null for none */
    RunSeries(AppRuns runs, String app, Reference reference) {
        this(app, runs.plan().repeats(), new WarmUp(runs.plan().warmupRuns()), runs::progress, reference);
    }

    RunSeries(String app, int repeats, WarmUp warmUp, Consumer<String> progress, Reference reference) {
        this.app = app;
        this.repeats = repeats;
        this.warmUp = warmUp;
        this.progress = progress;
        this.reference = reference;
    }

    /** Runs until {@code --repeats} runs were measured, the reference around each. */
    RunSeries runAll(Run run) throws Exception {
        while (rates.size() < repeats) {
            boolean measured = warmUp.done();
            if (measured && reference != null && referenceRates.isEmpty()) {
                referenceRates.add(reference.measure("before run 1"));
            }
            String name = warmUp.nextRunName(rates.size() + 1);
            warmUp.start();
            Result result = run.run();
            double jitShare = warmUp.finish();
            if (measured) {
                rates.add(result.rate());
                cpu.add(result.cpuMicrosPerImage());
                jit.add(100 * jitShare);
            }
            progress.accept(String.format(Locale.ROOT, "%s %s: %s, JIT compiling %.0f%% of the run", app, name,
                    result.summary(), 100 * jitShare));
            if (measured && reference != null) {
                referenceRates.add(reference.measure("after run " + rates.size()));
            }
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
        if (warmUp.maxRuns() > 0) {
            measures.add(warmUp.runsMeasure(app + ".warmup.runs", app));
        }
        measures.add(Measure.of(app + ".jit", app + " JIT compile time, % of a measured run", "%", false, jit));
        if (reference != null) {
            measures.add(Measure.rate(Checks.torchKey(app), reference.label(), referenceRates));
            measures.addAll(reference.details(Checks.torchKey(app)));
            measures.add(Measure.of(Checks.pairsKey(app), app + " e2e / PyTorch, each run over the mean of the two around it",
                    "x", true, pairRatios(rates, referenceRates)));
        }
        return measures;
    }

    /**
     * Each run's rate over the mean of the reference measured right before and right after it:
     * {@code rates.get(i) / ((reference.get(i) + reference.get(i + 1)) / 2)}.
     *
     * @throws IllegalArgumentException unless there is one reference measurement more than runs
     */
    static List<Double> pairRatios(List<Double> rates, List<Double> reference) {
        if (reference.size() != rates.size() + 1) {
            throw new IllegalArgumentException(rates.size() + " runs need " + (rates.size() + 1)
                    + " reference measurements around them, not " + reference.size());
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < rates.size(); i++) {
            ratios.add(rates.get(i) / ((reference.get(i) + reference.get(i + 1)) / 2));
        }
        return ratios;
    }
}
