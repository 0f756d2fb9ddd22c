package dev.streamae.model;

import java.util.Locale;

/**
 * What the trainer does when its drift detector suspects or confirms a lasting change of the
 * stream ({@code drift.policy}).
 */
public enum DriftPolicy {
    /**
     * A confirmed change is a new normal: the calibration is re-fitted to the errors since the
     * change, and learning goes on, so alerts return to the target rate once the model has caught up.
     * For streams whose normal moves for good (a new product, a moved camera).
     */
    ADAPT,
    /**
     * A suspected change is a fault until the stream returns to what it was: learning stops and the
     * calibration is frozen, so alerts go on and the fault never becomes normal. For streams whose
     * normal must not move without an operator (a production line's quality check).
     */
    HOLD;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DriftPolicy of(String text) {
        for (DriftPolicy p : values()) {
            if (p.id().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("drift.policy must be adapt or hold, got " + text);
    }
}
