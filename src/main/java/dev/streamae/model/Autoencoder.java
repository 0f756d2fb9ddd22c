package dev.streamae.model;

/**
 * The model as the rest of StreamAE sees it: a train step and a scoring pass. Topologies depend on
 * this interface only, so their tests can use a small deterministic fake while the DL4J network
 * is tested on its own.
 *
 * <p>Batches are row-major {@code float[rows][inputSize]} with values in [0, 1]. Implementations
 * reject a wrong row length or a non-finite value with an {@link IllegalArgumentException} before
 * touching their state. Implementations are not thread-safe: one instance per stream thread.
 */
public interface Autoencoder {

    Architecture architecture();

    /** The per-image error this model reports (the training loss itself is always MSE). */
    ErrorMetric metric();

    /**
     * One optimiser step on a mini-batch.
     *
     * @return the batch loss before the step and each example's error before the step
     *     (prequential errors: measured on data the model has not yet learnt from)
     */
    TrainStep train(float[][] batch);

    /**
     * {@link #train} that also reports each example's reconstruction before the step, from which
     * errors under any metric can be computed (the {@code evaluate} command measures all three
     * metrics from one model this way). This default scores the batch first, an extra forward pass;
     * an implementation that sees the reconstructions while training returns them at no cost.
     */
    default TrainStep trainReconstructing(float[][] batch) {
        float[][] before = score(batch).reconstructions();
        TrainStep step = train(batch);
        return new TrainStep(step.loss(), step.errorsBefore(), before);
    }

    /**
     * {@link #train} on the rows whose error before the step is at most their {@code skipAbove}:
     * the others (the images the current calibration flags, or every stream image while learning
     * is held) are not learnt, so that a stream's anomalies do not become normal. Every row's error
     * is reported; with no row left, no step is taken and the model is unchanged. This default
     * scores the batch first, then trains on the rows kept; an implementation that can leave rows
     * out of its backward pass does it in one.
     *
     * @param skipAbove per row, errors above this are not learnt ({@code +Infinity} learns the row,
     *     {@code -Infinity} never does)
     */
    default TrainStep trainSkipping(float[][] batch, double[] skipAbove) {
        if (skipAbove.length != batch.length) {
            throw new IllegalArgumentException(skipAbove.length + " skip thresholds for " + batch.length + " rows");
        }
        boolean all = true;
        for (double s : skipAbove) {
            all &= s == Double.POSITIVE_INFINITY;
        }
        if (all) {
            return train(batch);
        }
        double[] errors = codesAndErrors(batch).errors();
        java.util.List<float[]> kept = new java.util.ArrayList<>(batch.length);
        for (int i = 0; i < batch.length; i++) {
            if (!(errors[i] > skipAbove[i])) {
                kept.add(batch[i]);
            }
        }
        if (kept.isEmpty()) {
            return new TrainStep(Double.NaN, errors, null, 0);
        }
        TrainStep step = train(kept.toArray(new float[0][]));
        return new TrainStep(step.loss(), errors, null, kept.size());
    }

    /** Codes, reconstructions and per-image errors for a batch, in one forward pass. */
    Scores score(float[][] batch);

    /**
     * {@link #score} without the reconstructions ({@link Scores#reconstructions()} is null): what
     * the scorer needs. An implementation that copies each reconstruction out of its buffers (an
     * image-sized array per image) skips that here.
     */
    default Scores codesAndErrors(float[][] batch) {
        Scores scores = score(batch);
        return new Scores(scores.codes(), null, scores.errors());
    }

    /** Number of optimiser steps taken so far (survives snapshots). */
    long steps();

    /** The model's full state, for snapshots: parameters and, if wanted, the optimiser state. */
    ModelState state(boolean withOptimiser);

    /** Replaces this model's parameters (and optimiser state when present) with {@code state}. */
    void restore(ModelState state);
}
