package dev.streamae.model;

/**
 * Everything needed to rebuild a network exactly: its architecture, flat parameters in the
 * implementation's order, the optimiser's flat state (or {@code null}) and its step count.
 */
public record ModelState(Architecture architecture, float[] parameters, float[] optimiserState, long steps) {

    public ModelState {
        if (parameters.length != architecture.parameterCount()) {
            throw new IllegalArgumentException("architecture " + architecture + " has "
                    + architecture.parameterCount() + " parameters, got " + parameters.length);
        }
    }

    public boolean hasOptimiserState() {
        return optimiserState != null;
    }

    /**
     * Checks that this state can replace the state of an {@code architecture} model whose Adam
     * state has {@code optimiserLength} values; implementations call it before changing anything.
     *
     * @throws IllegalArgumentException if the state belongs to another architecture, has an
     *     optimiser state of the wrong size, a negative step count or a non-finite value
     */
    void requireRestorableInto(Architecture architecture, long optimiserLength) {
        if (!architecture.equals(this.architecture)) {
            throw new IllegalArgumentException("cannot restore a " + this.architecture
                    + " model into a " + architecture + " network");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("step count must not be negative, got " + steps);
        }
        requireFinite(parameters, "parameter");
        if (optimiserState != null) {
            if (optimiserState.length != optimiserLength) {
                throw new IllegalArgumentException("optimiser state has " + optimiserState.length
                        + " values, Adam for " + architecture + " needs " + optimiserLength);
            }
            requireFinite(optimiserState, "optimiser state value");
        }
    }

    private static void requireFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " " + i + " is " + values[i]);
            }
        }
    }
}
