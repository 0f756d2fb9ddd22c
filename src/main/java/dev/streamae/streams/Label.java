package dev.streamae.streams;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * An image's label as its producer wrote it: any string or any integer, passed through to its
 * score unchanged ({@code "label": 3} comes back as {@code 3}, {@code "label": "fashion:bag"} as
 * {@code "fashion:bag"}). StreamAE never learns from labels; they are there so that users can
 * evaluate alerts and the dashboard can colour digits.
 *
 * <p>Anything else (a fraction, a boolean, an object, an array, a string longer than
 * {@value #MAX_CHARS} characters) makes the record invalid: it goes to the dead-letter queue with
 * the reason, rather than being coerced into something the producer did not write.
 *
 * @param text the label when it is a string, else null
 * @param number the label when it is an integer, else null
 */
public record Label(String text, Long number) {

    /** Longest text label: labels are tags, and every score repeats its image's label. */
    public static final int MAX_CHARS = 256;

    public Label {
        if ((text == null) == (number == null)) {
            throw new IllegalArgumentException("a label is either a string or an integer");
        }
        if (text != null && text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("label is " + text.length() + " characters long; at most " + MAX_CHARS
                    + " allowed");
        }
    }

    public static Label of(long number) {
        return new Label(null, number);
    }

    public static Label of(String text) {
        return new Label(Objects.requireNonNull(text, "text"), null);
    }

    /** Reads a JSON label: a string or an integral number that fits in 64 bits; anything else is refused. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Label fromJson(JsonNode node) {
        if (node.isTextual()) {
            return of(node.textValue());
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return of(node.longValue());
        }
        throw new IllegalArgumentException("label must be a string or an integer (64-bit), got "
                + (node.isIntegralNumber() ? "an integer out of range" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** The JSON form: the string or the number, as it came. */
    @JsonValue
    public Object json() {
        return text != null ? text : number;
    }

    @Override
    public String toString() {
        return text != null ? text : Long.toString(number);
    }
}
