package dev.streamae.model;

/**
 * A snapshot that must not be loaded: garbage, another format version, a shape that does not
 * fit, a bad signature. The message names the problem, for logs and dead-letter headers.
 *
 * <p>Unchecked so that it can cross Kafka's {@code Deserializer} interface unwrapped; callers that
 * must keep their current model (the scorer) catch it explicitly.
 */
public class InvalidSnapshotException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidSnapshotException(String message) {
        super(message);
    }

    public InvalidSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
