package dev.streamae.streams;

/**
 * An operator's verdict on {@link Topics#FEEDBACK} that the trainer cannot apply. The message is
 * the reason the operator reads in the dead-letter queue ({@code __streams.errors.message}), so it
 * names the field, the image or the coordinates at fault and what was expected.
 *
 * <p>A type of its own, like {@link dev.streamae.image.InvalidImageException}, so that the
 * dead-letter records say by their {@code __streams.errors.exception} header that the verdict was
 * refused, not that the trainer failed.
 */
public class InvalidFeedbackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidFeedbackException(String reason) {
        super(reason);
    }

    public InvalidFeedbackException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
