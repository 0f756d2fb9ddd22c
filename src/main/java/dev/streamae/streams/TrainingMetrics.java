package dev.streamae.streams;

/**
 * Published to {@link Topics#TRAINING_METRICS} with each model snapshot.
 *
 * @param model the model name (record key)
 * @param modelVersion version of the snapshot published with this record
 * @param loss mean training loss (MSE) over the steps since the last record
 * @param threshold the anomaly threshold: {@code quantile} of the recent prequential errors
 * @param quantile the quantile the threshold is taken at
 * @param windowCount number of prequential errors the threshold is computed from
 * @param metric the error metric of the threshold
 * @param examplesSeen training examples folded into the model, in total
 * @param steps optimiser steps, in total
 * @param skippedAnomalies training examples not learnt because the model flagged them, in total
 * @param imagesPerSecond training rate since the last record
 * @param timestamp when the record was made (epoch ms)
 */
public record TrainingMetrics(String model, long modelVersion, double loss, double threshold, double quantile,
                              int windowCount, String metric, long examplesSeen, long steps, long skippedAnomalies,
                              double imagesPerSecond, long timestamp) {
}
