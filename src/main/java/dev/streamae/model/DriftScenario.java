package dev.streamae.model;

import dev.streamae.image.Datasets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stream whose normal changes for good at a known position, built from the shipped datasets,
 * and what a replay of it did around the change. Anomalies are injected at the same rate before
 * and after: a drift detector must tell the lasting change from them.
 */
public enum DriftScenario {

    /**
     * MNIST digits 0-4 are normal, then digits 5-9; Fashion-MNIST anomalies throughout. A subtle
     * change: the new digits share strokes with the old ones, the model reconstructs them almost as
     * well and learns them within a few hundred images (measured: 63-74% of the first 100 images
     * after the change above the old median error, about 55% from 500 on), which a stationary
     * stream's own wandering matches; the detector does not see it (see {@link DriftDetector}).
     */
    DIGITS_LOW_TO_HIGH("digits-0-4-to-5-9", "MNIST digits 0-4, then 5-9, Fashion-MNIST anomalies"),
    /**
     * MNIST digits are normal, then Fashion-MNIST; the anomalies are Fashion-MNIST before the
     * change and digits after it (what was normal is now the odd one out). A gross change.
     */
    DIGITS_TO_FASHION("digits-to-fashion", "MNIST digits, then Fashion-MNIST; anomalies the other set");

    private final String id;
    private final String description;

    DriftScenario(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** @throws IllegalArgumentException naming the scenarios there are */
    public static DriftScenario of(String text) {
        for (DriftScenario s : values()) {
            if (s.id.equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        List<String> ids = new ArrayList<>();
        for (DriftScenario s : values()) {
            ids.add(s.id);
        }
        throw new IllegalArgumentException("unknown drift scenario " + text + " (known: " + String.join(", ", ids) + ")");
    }

    /**
     * {@code before} images of the old normal, then {@code after} of the new one (the change is at
     * position {@code before}), anomalies at {@code anomalyRate} throughout.
     */
    public PrequentialStream stream(Datasets.Labelled digits, Datasets.Labelled fashion, int before, int after,
                                    double anomalyRate, long seed) {
        List<PrequentialStream.Segment> segments = switch (this) {
            case DIGITS_LOW_TO_HIGH -> List.of(
                    new PrequentialStream.Segment(digits.filter(i -> digits.labels()[i] < 5, "mnist-0-4"), fashion, before),
                    new PrequentialStream.Segment(digits.filter(i -> digits.labels()[i] >= 5, "mnist-5-9"), fashion, after));
            case DIGITS_TO_FASHION -> List.of(new PrequentialStream.Segment(digits, fashion, before),
                    new PrequentialStream.Segment(fashion, digits, after));
        };
        return PrequentialStream.of(segments, anomalyRate, seed);
    }

    /**
     * Counts over one block of stream positions after a change.
     *
     * @param normalJudged normal images judged in the block
     * @param normalFlagged of which flagged (false alarms, measured against the new normal)
     * @param judged images judged in the block, anomalies included
     * @param flagged of which flagged (alerts)
     */
    public record Block(long normalJudged, long normalFlagged, long judged, long flagged) {

        public Block plus(Block other) {
            return new Block(normalJudged + other.normalJudged, normalFlagged + other.normalFlagged,
                    judged + other.judged, flagged + other.flagged);
        }

        public double falseAlarmRate() {
            return normalJudged == 0 ? Double.NaN : (double) normalFlagged / normalJudged;
        }

        public double alertRate() {
            return judged == 0 ? Double.NaN : (double) flagged / judged;
        }
    }

    /** Counts over positions {@code from} (inclusive) to {@code to} (exclusive) of a replay. */
    public static Block block(PrequentialEvaluation.Result result, PrequentialStream stream, int from, int to) {
        long normalJudged = 0;
        long normalFlagged = 0;
        long judged = 0;
        long flagged = 0;
        for (int p = Math.max(0, from); p < Math.min(to, stream.size()); p++) {
            PrequentialEvaluation.Outcome o = result.outcomes()[p];
            if (o == PrequentialEvaluation.Outcome.NOT_JUDGED) {
                continue;
            }
            boolean alert = o == PrequentialEvaluation.Outcome.FLAGGED;
            judged++;
            flagged += alert ? 1 : 0;
            if (!stream.anomalous()[p]) {
                normalJudged++;
                normalFlagged += alert ? 1 : 0;
            }
        }
        return new Block(normalJudged, normalFlagged, judged, flagged);
    }

    /** Blocks of {@code size} positions from {@code from} to the end of the stream (the last may be shorter). */
    public static List<Block> blocks(PrequentialEvaluation.Result result, PrequentialStream stream, int from, int size) {
        List<Block> blocks = new ArrayList<>();
        for (int start = from; start < stream.size(); start += size) {
            blocks.add(block(result, stream, start, start + size));
        }
        return blocks;
    }

    /**
     * The first block (0-based) from which every later block's false-alarm rate is below
     * {@code limit}, or -1 if the last one is not.
     */
    public static int staysBelowFrom(List<Block> blocks, double limit) {
        int from = blocks.size();
        for (int k = blocks.size() - 1; k >= 0; k--) {
            if (!(blocks.get(k).falseAlarmRate() < limit)) {
                break;
            }
            from = k;
        }
        return from == blocks.size() ? -1 : from;
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
