package dev.streamae.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * One image stream of {@code streamae demo --streams}: a shipped dataset as its normal, the other
 * dataset injected as its anomalies ({@link ImageStream}), and the model it names.
 *
 * <p>One stream names no model, so its images go to {@code model.name} exactly as before models
 * had names: the default demo is the single-model demo. With several, each image names its
 * stream's model (the stream's name), as a deployment with one camera per model would send them.
 *
 * @param name {@code digits} or {@code fashion}
 * @param model the model its images name, null for the default one
 * @param dataset the {@link ImageStream#ofDataset} dataset of its normal images
 * @param normal what its normal images are, short, for the report ({@code MNIST}, {@code Fashion})
 * @param anomalies what is injected into it, short, for the report
 */
record DemoStream(String name, String model, String dataset, String normal, String anomalies) {

    static final List<String> NAMES = List.of("digits", "fashion");

    /**
     * The streams named, in order.
     *
     * @throws IllegalArgumentException for an unknown or repeated name, or none
     */
    static List<DemoStream> of(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--streams needs at least one stream: " + String.join(", ", NAMES));
        }
        List<DemoStream> streams = new ArrayList<>();
        var seen = new HashSet<String>();
        for (String raw : names) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("stream '" + name + "' is named twice in --streams");
            }
            String model = names.size() == 1 ? null : name;
            streams.add(switch (name) {
                case "digits" -> new DemoStream(name, model, "mnist-train", "MNIST", "Fashion");
                case "fashion" -> new DemoStream(name, model, "fashion", "Fashion", "noise");
                default -> throw new IllegalArgumentException("unknown stream '" + raw + "' in --streams: use "
                        + String.join(", ", NAMES));
            });
        }
        return List.copyOf(streams);
    }

    /** The dataset of its anomalies by its full name, e.g. {@code Fashion-MNIST}. */
    String anomalyDataset() {
        return anomalies.equals("Fashion") ? "Fashion-MNIST" : anomalies;
    }

    /** Its images, seeded, with ids {@code idPrefix + dataset + "-" + n}. */
    ImageStream open(double anomalyRate, long seed, String idPrefix) {
        return ImageStream.ofDataset(dataset, anomalyRate, ImageStream.Encoding.U8, seed, idPrefix);
    }
}
