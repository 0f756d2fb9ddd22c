package dev.streamae.model;

/**
 * Result of one optimiser step.
 *
 * @param loss the mini-batch training loss (MSE) before the step
 * @param errorsBefore each example's error under the model's metric, before the step
 * @param reconstructionsBefore each example's reconstruction before the step, {@code [rows][inputSize]},
 *     or {@code null} when the implementation does not report them (see {@link Autoencoder#trainReconstructing})
 */
public record TrainStep(double loss, double[] errorsBefore, float[][] reconstructionsBefore) {

    /** A step that does not report reconstructions. */
    public TrainStep(double loss, double[] errorsBefore) {
        this(loss, errorsBefore, null);
    }
}
