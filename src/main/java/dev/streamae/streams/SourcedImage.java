package dev.streamae.streams;

/**
 * A valid image with its offset in the scoring task's partition of {@code images}: the scorer
 * writes the two coordinates into the image's {@link ScoreRecord}, from which an operator's
 * verdict ({@link FeedbackRecord}) points the trainer back to the image.
 *
 * @param image the image
 * @param offset its record's offset in {@code images}
 */
record SourcedImage(ValidImage image, long offset) {
}
