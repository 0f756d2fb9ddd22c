package dev.streamae.model;

/**
 * Result of one optimiser step.
 *
 * @param loss the mini-batch training loss (MSE) before the step
 * @param errorsBefore each example's error under the model's metric, before the step
 */
public record TrainStep(double loss, double[] errorsBefore) {
}
