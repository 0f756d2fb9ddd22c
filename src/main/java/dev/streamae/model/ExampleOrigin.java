package dev.streamae.model;

/**
 * Where a row of a training mini-batch comes from: the image stream, or an operator's verdict on
 * an image the service alerted on. The trainer and the offline replay both hand rows to
 * {@link AlertCalibrator} with their origin, so that one piece of code decides what each kind of
 * row teaches the model ({@link AlertCalibrator#skipAbove(long, ExampleOrigin[])}) and the
 * calibration ({@link AlertCalibrator.BatchErrors#split}).
 */
public enum ExampleOrigin {
    /** An image of the stream: learnt unless the calibration flags it or learning is held. */
    STREAM,
    /** An operator's "normal" on an alert (a false alarm): always learnt, whatever its error. */
    CONFIRMED_NORMAL,
    /** An operator's "anomaly" on an alert: never learnt. */
    CONFIRMED_ANOMALY
}
