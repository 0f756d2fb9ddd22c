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
}
