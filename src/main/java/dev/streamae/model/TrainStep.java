package dev.streamae.model;

/**
 * Result of one optimiser step.
 *
 * @param loss the training loss (MSE) before the step, over the rows learnt; NaN when none was
 * @param errorsBefore each row's error under the model's metric, before the step (learnt or not)
 * @param reconstructionsBefore each row's reconstruction before the step, {@code [rows][inputSize]},
 *     or {@code null} when the implementation does not report them (see {@link Autoencoder#trainReconstructing})
 * @param learnt rows the step learnt from; the others were skipped (see {@link Autoencoder#trainSkipping}),
 *     and with none learnt no step was taken
 */
public record TrainStep(double loss, double[] errorsBefore, float[][] reconstructionsBefore, int learnt) {

    /** A step that learnt every row and does not report reconstructions. */
    public TrainStep(double loss, double[] errorsBefore) {
        this(loss, errorsBefore, null, errorsBefore.length);
    }

    /** A step that learnt every row. */
    public TrainStep(double loss, double[] errorsBefore, float[][] reconstructionsBefore) {
        this(loss, errorsBefore, reconstructionsBefore, errorsBefore.length);
    }

    /** Whether the model changed (some row was learnt). */
    public boolean stepped() {
        return learnt > 0;
    }
}
