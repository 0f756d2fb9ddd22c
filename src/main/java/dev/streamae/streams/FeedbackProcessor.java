package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns operators' verdicts on {@link Topics#FEEDBACK} into training examples, each exactly once.
 *
 * <p>The topic's contract: key the image id; value a {@link FeedbackRecord} JSON document with the
 * same {@code id}, a {@code verdict} ({@code "normal"}: a false alarm, learnt and taken into the
 * calibration; {@code "anomaly"}: confirmed, never learnt) and the image's {@code partition} and
 * {@code offset} in {@code images}, copied from its {@link ScoreRecord} (an alert, or any score), so
 * that nobody sends the image again. The trainer reads the image there ({@link ImageLookup}),
 * validates it as the scorer did ({@link ImageValidator}) and forwards
 * {@link TrainingExample#encodeFeedback}, keyed by the image id, into the one training path.
 *
 * <p>A verdict that cannot be applied throws {@link InvalidFeedbackException} with the reason;
 * the processing exception handler writes it to {@code images-dlq} with that reason, the
 * {@code __streams.errors.*} headers and the raw key and value, counts it, and processing goes on
 * (feedback the JSON serde refuses — not JSON, an unknown field, a verdict other than the two — is
 * dead-lettered the same way by the deserialization handler). The reasons: no value; no id; a key
 * that is not the id; no verdict; no partition or offset, or a negative one; no record at those
 * coordinates (no such partition, deleted by retention, past the end, a transaction marker); a
 * record there that is no valid image; an image there whose id is not the verdict's (unknown id);
 * and an image that already had a verdict applied. Each rejection also counts in the
 * {@code feedback-rejected} task sensor.
 *
 * <p>Exactly once: the verdicts applied are kept in the logged store {@link #APPLIED_STORE} (image
 * id to verdict, coordinates and time), put in the same transaction as the training example and the
 * feedback offset. So a crash before the commit applies the verdict again from scratch, one after
 * it never does, and a verdict sent twice (by an operator or a retrying producer) is refused the
 * second time. The training path downstream logs, replays and counts the example exactly once.
 * Each verdict asks for a commit after it: its image is read inside the transaction (tens of
 * milliseconds, at most {@link KafkaImageLookup#TIMEOUT}), and a burst of verdicts in one
 * transaction could outlast the producer's transaction timeout; the broker would abort it and
 * fence the thread, which would then read the same burst again (seen on a real broker with 750 ms
 * lookups and no commit asked for: fenced 21 times in a minute, never past the burst). One verdict
 * per image id: the model cannot unlearn, so a change of mind is refused too, saying what was
 * applied.
 *
 * <p>The store is bounded by the images still in {@code images}: every {@link #PRUNE_EVERY} a
 * punctuator drops the entries whose image lies before its partition's first offset (deleted by
 * retention, whether by time or size). A repeated verdict on such an image is still refused, by
 * the lookup (no image at those coordinates), so the entry is no longer needed. Kept in memory like
 * the trainer's other stores, restored from its changelog: verdicts come from people, a few
 * thousand a day, some 50 bytes each.
 */
final class FeedbackProcessor implements Processor<String, FeedbackRecord, String, byte[]> {

    static final String APPLIED_STORE = "feedback-applied";
    /** How often entries of images gone from {@code images} are dropped: retention works in hours or days. */
    static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackProcessor.class);

    private final ImageDecoder decoder;
    private final ModelRouting routing;
    private final ImageLookup.Opener lookups;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> applied;
    /** Opened at the first verdict: most of the trainer's tasks never see one. */
    private ImageLookup lookup;
    private TaskSensors sensors;
    private Sensor rejectedSensor;

    FeedbackProcessor(ImageDecoder decoder, ModelRouting routing, ImageLookup.Opener lookups) {
        this.decoder = decoder;
        this.routing = routing;
        this.lookups = lookups;
    }

    /** What the store keeps per image id: enough to tell an operator what was applied, and to prune. */
    private record Applied(Verdict verdict, int partition, long offset, long appliedAt) {

        byte[] toBytes() {
            return ByteBuffer.allocate(1 + Integer.BYTES + 2 * Long.BYTES).put((byte) verdict.ordinal())
                    .putInt(partition).putLong(offset).putLong(appliedAt).array();
        }

        static Applied fromBytes(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new Applied(Verdict.values()[b.get()], b.getInt(), b.getLong(), b.getLong());
        }

        @Override
        public String toString() {
            return verdict.id() + ", for " + where(partition, offset) + ", applied at " + Instant.ofEpochMilli(appliedAt);
        }
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.applied = context.getStateStore(APPLIED_STORE);
        sensors = new TaskSensors(context, TaskSensors.TRAINER_GROUP);
        rejectedSensor = sensors.counter("feedback-rejected", "operators' verdicts refused and sent to the "
                + "dead-letter queue by this task");
        context.schedule(PRUNE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::prune);
    }

    @Override
    public void process(Record<String, FeedbackRecord> record) {
        // Each verdict ends its transaction: reading its image blocks the thread, and the time a
        // burst of verdicts takes must not add up past the transaction timeout (10 s).
        context.commit();
        try {
            apply(record);
        } catch (RuntimeException e) {
            // The processing exception handler dead-letters the verdict with this reason and goes on.
            rejectedSensor.record();
            throw e;
        }
    }

    private void apply(Record<String, FeedbackRecord> record) {
        FeedbackRecord f = record.value();
        if (f == null) {
            throw new InvalidFeedbackException("empty record (null value): a verdict needs id, verdict, partition and offset");
        }
        String id = f.id();
        if (id == null || id.isBlank()) {
            throw new InvalidFeedbackException("missing id: the image id, as its score has it");
        }
        if (!id.equals(record.key())) {
            throw new InvalidFeedbackException("the key " + (record.key() == null ? "(none)" : "\"" + record.key() + "\"")
                    + " is not the id \"" + id + "\": key each verdict by its image id");
        }
        if (f.verdict() == null) {
            throw new InvalidFeedbackException("missing verdict: \"normal\" or \"anomaly\"");
        }
        if (f.partition() == null || f.offset() == null) {
            throw new InvalidFeedbackException("missing " + (f.partition() == null ? "partition" : "offset")
                    + ": copy partition and offset from the image's score");
        }
        if (f.partition() < 0 || f.offset() < 0) {
            throw new InvalidFeedbackException("partition " + f.partition() + " and offset " + f.offset()
                    + " cannot be negative: copy them from the image's score");
        }
        byte[] earlier = applied.get(id);
        if (earlier != null) {
            throw new InvalidFeedbackException("image \"" + id + "\" already had a verdict applied (" + Applied.fromBytes(earlier)
                    + "): an image takes one verdict, once");
        }
        int partition = f.partition();
        long offset = f.offset();
        ImageLookup.Stored stored = lookup().read(partition, offset);
        ValidImage image;
        try {
            image = ImageValidator.validate(decoder, routing, stored.key(), stored.value(), stored.timestamp());
        } catch (RuntimeException e) {
            throw new InvalidFeedbackException("the record at " + where(partition, offset) + " is no valid image (so it "
                    + "was never scored): " + e.getMessage(), e);
        }
        if (!image.id().equals(id)) {
            throw new InvalidFeedbackException("unknown id \"" + id + "\": " + where(partition, offset) + " holds image \""
                    + image.id() + "\"");
        }
        applied.put(id, new Applied(f.verdict(), partition, offset, context.currentSystemTimeMs()).toBytes());
        // Keyed by the image's model, like the stream's images: its model learns the verdict.
        context.forward(record.withKey(image.model()).withValue(TrainingExample.encodeFeedback(image, f.verdict())));
    }

    private static String where(int partition, long offset) {
        return Topics.IMAGES + "-" + partition + " offset " + offset;
    }

    private ImageLookup lookup() {
        if (lookup == null) {
            lookup = lookups.open(context.appConfigs(), context.applicationId() + "-feedback-" + context.taskId());
        }
        return lookup;
    }

    /** Drops the entries whose image retention deleted. Never throws: a punctuator has no record to blame. */
    private void prune(long now) {
        if (applied.approximateNumEntries() == 0) {
            return;
        }
        try {
            Map<Integer, Long> first = lookup().firstOffsets();
            List<String> gone = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = applied.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    Applied a = Applied.fromBytes(kv.value);
                    Long start = first.get(a.partition());
                    if (start != null && a.offset() < start) {
                        gone.add(kv.key);
                    }
                }
            }
            gone.forEach(applied::delete);
            if (!gone.isEmpty()) {
                LOG.info("feedback task {}: forgot the verdicts on {} images deleted from {} by retention",
                        context.taskId(), gone.size(), Topics.IMAGES);
            }
        } catch (RuntimeException e) {
            LOG.warn("feedback task {}: could not drop the verdicts on deleted images; trying again in {}",
                    context.taskId(), PRUNE_EVERY, e);
        }
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
            lookup = null;
        }
        if (sensors != null) {
            sensors.close();
        }
    }
}
