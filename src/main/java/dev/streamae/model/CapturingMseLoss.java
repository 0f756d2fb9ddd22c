package dev.streamae.model;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

/**
 * DL4J's MSE loss that also keeps a copy of the reconstruction it was handed during training.
 *
 * <p>Why: a train step must report every example's error <em>before</em> the step. The loss
 * function is the one place inside {@code fit()} that sees the output of the very forward pass the
 * gradient comes from, so capturing it here saves a second forward pass (a third of a step's
 * arithmetic) and guarantees the reported errors belong to the pre-step parameters.
 *
 * <p>Scaling is LossMSE's, which matches PyTorch's {@code nn.MSELoss()} (mean over all elements):
 * LossMSE divides each example's summed squared error, and its gradient, by the number of outputs,
 * and DL4J's updater then divides the summed gradient by the mini-batch size. The score likewise
 * sums over the batch, divides by outputs, then by the batch size. So gradients, and with them
 * Adam's behaviour relative to its epsilon, are the same as the seed's.
 */
final class CapturingMseLoss extends LossMSE {

    /** Row-major copy of the last training reconstruction; not configuration, so never serialised. */
    @JsonIgnore
    private transient float[] lastOutput;

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        // getActivation works in place, hence the dup: preOutput is still needed for the gradient.
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        lastOutput = NdArrays.rowMajor(output);
        return super.computeGradient(labels, preOutput, activationFn, mask);
    }

    /** Takes the captured reconstruction (row-major), leaving none behind for a later step. */
    float[] takeLastOutput() {
        float[] out = lastOutput;
        lastOutput = null;
        return out;
    }
}
