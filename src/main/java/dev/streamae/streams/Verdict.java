package dev.streamae.streams;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * An operator's verdict on an image the service alerted on, as sent to {@link Topics#FEEDBACK}:
 * {@code "normal"} (a false alarm: the image is learnt and enters the calibration) or
 * {@code "anomaly"} (confirmed: the image is never learnt because of it).
 */
public enum Verdict {
    NORMAL, ANOMALY;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive; anything else is refused, naming the accepted values. */
    @JsonCreator
    public static Verdict of(String text) {
        if (text != null) {
            for (Verdict v : values()) {
                if (v.id().equalsIgnoreCase(text.trim())) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("verdict must be \"normal\" or \"anomaly\", got " + text);
    }
}
