package dev.streamae.bench;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Decides when an app's JVM is warm enough to measure: warm-up runs go on until the JIT compilers
 * spent at most {@link #SETTLED_JIT_SHARE a quarter} of a run's wall-clock time compiling, or
 * until the plan's maximum ({@code --warmup-runs}).
 *
 * <p>Why not a fixed count: the compilers run beside the app on the same two cores, so a run
 * measured while they still work reports their CPU as the app's slowness, and how many runs that
 * takes depends on the machine and on how many images a run has. Measured with the scorer
 * (192,000 images a run): its first runs compiled for 105%, 97%, 74% and 41% of their time (two
 * compiler threads) at 19,000-54,000 images/s, the runs after them 7-25% at 57,000-60,000. Some
 * compiling never stops, since each run starts new clients and a new Streams app.
 */
final class WarmUp {

    static final double SETTLED_JIT_SHARE = 0.25;

    private final int maxRuns;
    private final LongSupplier jitMillis;
    private final LongSupplier nanoTime;
    private int runs;
    private boolean settled;
    private long jitAtStart;
    private long wallAtStart;

    /** @param maxRuns the most warm-up runs; 0: measure from the first run */
    WarmUp(int maxRuns) {
        this(maxRuns, ProcessCpu::jitMillis, System::nanoTime);
    }

    /** @param jitMillis this JVM's total compile time so far, negative if unknown */
    WarmUp(int maxRuns, LongSupplier jitMillis, LongSupplier nanoTime) {
        this.maxRuns = maxRuns;
        this.jitMillis = jitMillis;
        this.nanoTime = nanoTime;
    }

    /** True once the runs from now on are measured. */
    boolean done() {
        return settled || runs >= maxRuns;
    }

    /** The most warm-up runs. */
    int maxRuns() {
        return maxRuns;
    }

    /** Warm-up runs so far. */
    int runs() {
        return runs;
    }

    /** "warm-up run 2" before {@link #done()}, else "run {@code measured}". */
    String nextRunName(int measured) {
        return done() ? "run " + measured : "warm-up run " + (runs + 1);
    }

    /** How many warm-up runs {@code app} needed, as a table row. */
    Measure runsMeasure(String key, String app) {
        return Measure.of(key, app + " warm-up runs (until JIT <= " + Math.round(100 * SETTLED_JIT_SHARE) + "% of a run, at most "
                + maxRuns + ")", "runs", false, List.of((double) runs));
    }

    void start() {
        jitAtStart = jitMillis.getAsLong();
        wallAtStart = nanoTime.getAsLong();
    }

    /**
     * Ends the run begun with {@link #start()}; a warm-up run counts toward {@link #done()}.
     *
     * @return this JVM's compile time over the run's wall-clock time (may exceed 1 with several
     *     compiler threads); NaN where the JVM does not tell, and then only the maximum ends warm-up
     */
    double finish() {
        long jit = jitMillis.getAsLong();
        double wallMs = (nanoTime.getAsLong() - wallAtStart) / 1e6;
        double share = jit < 0 || jitAtStart < 0 || wallMs <= 0 ? Double.NaN : (jit - jitAtStart) / wallMs;
        if (!done()) {
            runs++;
            settled = share <= SETTLED_JIT_SHARE;
        }
        return share;
    }
}
