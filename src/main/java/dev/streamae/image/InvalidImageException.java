package dev.streamae.image;

/**
 * An image record that cannot be turned into model input. The message is the reason an operator
 * reads in the dead-letter queue, so it names the field and what was expected (for example
 * {@code "pixels has 783 values, the model expects 784 (28x28)"}) and never includes the pixel data.
 *
 * <p>Unchecked because a bad record is an expected, per-record outcome that the streams layer
 * routes to the dead-letter queue, not something every caller in between should have to declare.
 * It is a separate type (not {@link IllegalArgumentException}) so that handlers can tell bad
 * input from a programming error and never send a bug's records to the DLQ by mistake.
 */
public class InvalidImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidImageException(String reason) {
        super(reason);
    }

    public InvalidImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
