package dev.streamae.streams;

/**
 * A training example of a model the deployment does not admit ({@code models.max}): the trainer's
 * processing exception handler writes it to the dead-letter queue with this message as its reason.
 */
public class ModelLimitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelLimitException(String message) {
        super(message);
    }
}
