package dev.streamae.streams;

/**
 * An operator's verdict on an alert, sent to {@link Topics#FEEDBACK} keyed by image id. The image
 * is not sent again: {@code partition} and {@code offset} are copied from the alert's
 * {@link ScoreRecord}, and the trainer reads the image from {@link Topics#IMAGES} there.
 *
 * @param id the image id (also the record key)
 * @param verdict {@code normal} (a false alarm) or {@code anomaly}
 * @param partition the image's partition in {@code images}, as the alert carries it
 * @param offset the image's offset in {@code images}, as the alert carries it
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record FeedbackRecord(String id, Verdict verdict, Integer partition, Long offset) {
}
