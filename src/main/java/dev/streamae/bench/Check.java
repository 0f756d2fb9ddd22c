package dev.streamae.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A ratio or a limit derived from the measures: a target to pass, or information.
 *
 * @param name what is compared, e.g. "trainer e2e / PyTorch offline training"
 * @param value the ratio or value, or null when a measure it needs was not taken
 * @param unit "x" for ratios, else the measure's unit
 * @param bound {@code >=} or {@code <=} for a target, null for information only
 * @param limit the target's limit (ignored without a bound)
 * @param status the verdict
 */
public record Check(String name, Double value, String unit, String bound, double limit, Status status) {

    /** NO_VERDICT: measured against a reference the bench cannot stand behind (see {@link Checks}). */
    public enum Status { PASS, FAIL, SKIPPED, INFO, NO_VERDICT }

    static Check atLeast(String name, Double value, String unit, double limit) {
        return target(name, value, unit, ">=", limit);
    }

    static Check atMost(String name, Double value, String unit, double limit) {
        return target(name, value, unit, "<=", limit);
    }

    static Check info(String name, Double value, String unit) {
        return new Check(name, value, unit, null, 0, value == null ? Status.SKIPPED : Status.INFO);
    }

    private static Check target(String name, Double value, String unit, String bound, double limit) {
        Status status;
        if (value == null || value.isNaN()) {
            status = Status.SKIPPED;
            value = null;
        } else {
            boolean ok = bound.equals(">=") ? value >= limit : value <= limit;
            status = ok ? Status.PASS : Status.FAIL;
        }
        return new Check(name, value, unit, bound, limit, status);
    }

    /** This target with its value but no pass or fail; a check not measured stays SKIPPED. */
    Check withoutVerdict() {
        return status == Status.PASS || status == Status.FAIL ? new Check(name, value, unit, bound, limit, Status.NO_VERDICT)
                : this;
    }

    @JsonIgnore
    public boolean isTarget() {
        return bound != null;
    }
}
