package dev.streamae.streams;

import dev.streamae.image.InvalidImageException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which model learns and scores an image, and how many models a deployment keeps: the
 * {@code models.*} and {@code training.partitions} settings.
 *
 * <p>An image names its stream's model in its optional {@code model} field; without one it goes to
 * {@link #defaultModel} ({@code model.name}), so a single-model deployment needs no change. A name
 * is 1 to {@link #MAX_NAME_LENGTH} letters, digits, '.', '_' or '-', starting with a letter or
 * digit: it becomes a record key, a metric tag and a file name, and must not be able to smuggle a
 * separator into any of them. A bad name, or one outside {@link #allowed} when that is set, makes
 * the image invalid (the scorer dead-letters it, like any other invalid image).
 *
 * @param defaultModel the model of images that name none
 * @param allowed the only model names accepted, or empty for any valid name
 * @param max the most models the trainer keeps; images of further models are dead-lettered by the
 *     trainer and scored by {@link #fallback}, if any
 * @param fallback the model that scores images of a model with no snapshot yet, and learns from every
 *     stream; empty for none (such images are scored {@code NO_MODEL})
 * @param idleEviction a model the trainer has not seen an image of for this long leaves its memory
 *     (checkpointed first; restored from its state on its next image)
 * @param historyVersions published versions kept per model in {@code model-history} for rollback
 * @param historyInterval at least this long between two versions kept in the history
 * @param trainingPartitions partitions of the training repartition topic, keyed by model name: the
 *     most trainer tasks (threads, instances) that train at once
 */
public record ModelRouting(String defaultModel, Set<String> allowed, int max, String fallback, Duration idleEviction,
                           int historyVersions, Duration historyInterval, int trainingPartitions) {

    public static final int MAX_NAME_LENGTH = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public ModelRouting {
        allowed = Set.copyOf(allowed);
        check(defaultModel, "model.name");
        for (String name : allowed) {
            check(name, "models.allowed");
        }
        if (!allowed.isEmpty() && !allowed.contains(defaultModel)) {
            throw new IllegalArgumentException("models.allowed " + allowed + " must include model.name '" + defaultModel + "'");
        }
        if (!fallback.isEmpty()) {
            check(fallback, "models.fallback");
        }
        if (max < 1) {
            throw new IllegalArgumentException("models.max must be at least 1, got " + max);
        }
        if (historyVersions < 1) {
            throw new IllegalArgumentException("models.history.versions must be at least 1, got " + historyVersions);
        }
        if (trainingPartitions < 1) {
            throw new IllegalArgumentException("training.partitions must be at least 1, got " + trainingPartitions);
        }
        if (idleEviction.isNegative() || idleEviction.isZero()) {
            throw new IllegalArgumentException("models.idle.evict.ms must be positive, got " + idleEviction.toMillis());
        }
    }

    private static void check(String name, String key) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(key + ": " + problem);
        }
    }

    /** Why {@code name} is no valid model name, or null when it is one. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "a model name must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "model name '" + name.substring(0, 20) + "...' is " + name.length() + " characters, at most "
                    + MAX_NAME_LENGTH + " are allowed";
        }
        if (!NAME.matcher(name).matches()) {
            return "model name '" + name + "' may only hold letters, digits, '.', '_' and '-', and must start "
                    + "with a letter or digit";
        }
        return null;
    }

    /**
     * The model an image that names {@code requested} (null: none) belongs to.
     *
     * @throws InvalidImageException when the name is invalid or not allowed
     */
    public String route(String requested) {
        if (requested == null) {
            return defaultModel;
        }
        String problem = problem(requested);
        if (problem != null) {
            throw new InvalidImageException(problem);
        }
        if (!allowed.isEmpty() && !allowed.contains(requested)) {
            throw new InvalidImageException("model '" + requested + "' is not in models.allowed "
                    + allowed.stream().sorted().toList());
        }
        return requested;
    }

    /** The models an image of {@code model} trains: its own, and the fallback model when there is one. */
    public List<String> trainedBy(String model) {
        return fallback.isEmpty() || fallback.equals(model) ? List.of(model) : List.of(model, fallback);
    }

    public boolean hasFallback() {
        return !fallback.isEmpty();
    }
}
