package dev.streamae.streams;

/**
 * Published to {@link Topics#TRAINING_METRICS} with each model snapshot.
 *
 * @param model the model name (record key)
 * @param modelVersion version of the snapshot published with this record
 * @param loss mean training loss (MSE) over the steps since the last record
 * @param metric the error metric of the calibration and threshold
 * @param threshold the error above which an image is an anomaly at {@code falseAlarmRate}, from the
 *     calibration published with this model; null until there is one
 * @param falseAlarmRate the configured false-alarm rate (the target)
 * @param alertRate the fraction of the training images since the previous record that the
 *     calibration flagged: about {@code falseAlarmRate} plus the contamination; null while none
 *     was judged (before the warm-up ends)
 * @param contamination the estimated fraction of anomalies among the recent training images;
 *     null until there is a calibration
 * @param calibrationCount number of recent prequential errors the calibration was fitted to
 * @param alerting whether the published model raises alerts (warmed up and calibrated)
 * @param examplesSeen training examples folded into the model, in total
 * @param steps optimiser steps, in total
 * @param skippedAnomalies training images not learnt because the calibration flagged them, in total
 * @param imagesPerSecond training rate since the last record
 * @param timestamp when the record was made (epoch ms)
 * <p>The drift and feedback fields are absent (null) in records of trainers older than them.
 *
 * @param driftPolicy {@code adapt} or {@code hold}
 * @param driftPhase the drift detector's phase: STABLE, SUSPECTED or CONFIRMED
 * @param driftStatistic the detector's change statistic (suspects at 100, confirms at 250)
 * @param learningHeld whether learning from the stream is held ({@code hold} after a suspected change)
 * @param feedbackNormal verdicts "normal" (confirmed false alarms) applied, in total
 * @param feedbackAnomaly verdicts "anomaly" (confirmed anomalies) applied, in total
 * @param precision the alerts' precision as operators judged them: {@code feedbackAnomaly} over
 *     all verdicts; null before the first
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record TrainingMetrics(String model, long modelVersion, double loss, String metric, Double threshold,
                              double falseAlarmRate, Double alertRate, Double contamination, long calibrationCount,
                              boolean alerting, long examplesSeen, long steps, long skippedAnomalies,
                              double imagesPerSecond, long timestamp, String driftPolicy, String driftPhase,
                              Double driftStatistic, Boolean learningHeld, Long feedbackNormal, Long feedbackAnomaly,
                              Double precision) {
}
