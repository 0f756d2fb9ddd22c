package dev.streamae.streams;

import java.time.Duration;

/**
 * Wall-clock slots of {@code score.max.delay.ms} shared by the scoring tasks of one scorer
 * instance, so that a stream thread commits at most once per slot for all its tasks.
 *
 * <p>Why: a {@code read_committed} reader sees a score only when its transaction commits, and
 * each task of a thread (one per {@code images} partition) scores its own micro-batches. If every
 * task committed after its own batch, a thread with six tasks would commit six times per slot at
 * low rates; if scores waited for {@code commit.interval.ms}, every image would wait for a batch
 * and then for an unrelated commit timer. Instead every task scores what it buffered in earlier
 * slots at its first tick of a new slot, and one of them requests the commit a tick later, when
 * all of them have scored: an image waits at most one slot and two ticks plus the commit.
 *
 * <p>Each commit blocks the stream thread for three broker round trips (flush, offsets, end of
 * transaction: 4-6 ms on average on a loaded 2-core machine, at times 20-30 ms), so under heavy
 * load a commit per slot would leave the thread too little time to score. The thread commits at
 * most every {@value #HEAVY_LOAD_COMMIT_GAP_MS} ms when, in this slot or the previous one, it
 * scored at least {@link #HEAVY_LOAD_IMAGES_PER_BATCH a quarter of a batch} per slot, or scored an
 * image more than {@value #BEHIND_SLOTS} slots older than the clock (it is behind: catching up on a
 * backlog, or starved of CPU). Measured: a commit per 10 ms slot could not keep up with 13,000
 * images/s that a 25 ms gap sustains, and a scorer starting beside a trainer in one JVM (the demo)
 * lagged seconds for want of the second signal. And the further behind, the longer the gap: at
 * least {@code 1/}{@value #AGE_PER_COMMIT_GAP} of the age of the oldest image scored in this slot or
 * the previous one, since a commit sooner than that shortens that image's wait by little and costs
 * the images behind it throughput (on a backlog a thread then requests no commits at all and
 * Kafka Streams commits every {@code commit.interval.ms}; measured on a 64,000-image backlog:
 * 23,000-24,000 images/s with a 25 ms gap, 30,000-34,000 with 100 ms).
 *
 * <p>The per-thread state is in a {@link ThreadLocal}: Kafka Streams runs all of a thread's tasks
 * on that thread, and a commit commits all of them.
 */
final class ScoreSlots {

    static final long HEAVY_LOAD_COMMIT_GAP_MS = 25;
    /** Heavy load: at least {@code score.batch.size / HEAVY_LOAD_IMAGES_PER_BATCH} images per slot. */
    static final int HEAVY_LOAD_IMAGES_PER_BATCH = 4;
    /** Behind: an image scored more than this many slots after its timestamp. */
    static final int BEHIND_SLOTS = 5;
    /** Under heavy load the commit gap is at least the age of the oldest image scored, divided by this. */
    static final int AGE_PER_COMMIT_GAP = 4;

    private final long slotMs;
    private final long tickMs;
    private final int heavyImagesPerSlot;
    private final ThreadLocal<ThreadState> threads = ThreadLocal.withInitial(ThreadState::new);

    /** What one stream thread committed and scored lately. */
    private static final class ThreadState {
        long committedSlot = Long.MIN_VALUE;
        long committedAtMs = Long.MIN_VALUE / 2;
        long countedSlot = Long.MIN_VALUE;
        long scoredInSlot;
        long scoredInPreviousSlot;
        /** Age of the oldest image scored in this slot and in the previous one (0 if none). */
        long oldestAgeInSlot;
        long oldestAgeInPreviousSlot;
    }

    ScoreSlots(Duration slot, int batchSize) {
        this.slotMs = Math.max(1, slot.toMillis());
        // Five ticks per slot: all tasks score within the first tick, the commit follows in the second.
        this.tickMs = Math.max(1, slotMs / 5);
        this.heavyImagesPerSlot = Math.max(1, batchSize / HEAVY_LOAD_IMAGES_PER_BATCH);
    }

    long slotOf(long wallClockMs) {
        return Math.floorDiv(wallClockMs, slotMs);
    }

    long tickMs() {
        return tickMs;
    }

    /**
     * Counts images this thread scored and notes how late, to tell light load from heavy.
     *
     * @param oldestImageMs the earliest timestamp among them (epoch ms)
     */
    void scored(long wallClockMs, int images, long oldestImageMs) {
        ThreadState t = roll(wallClockMs);
        t.scoredInSlot += images;
        t.oldestAgeInSlot = Math.max(t.oldestAgeInSlot, wallClockMs - oldestImageMs);
    }

    /**
     * True at most once per slot and thread, only from the second tick of the slot on (by when
     * every task of the thread has scored the images of earlier slots), and under heavy load only
     * {@value #HEAVY_LOAD_COMMIT_GAP_MS} ms after the previous commit, or a quarter of the oldest
     * scored image's age if that is longer.
     */
    boolean claimCommit(long wallClockMs) {
        long slot = slotOf(wallClockMs);
        ThreadState t = roll(wallClockMs);
        if (t.committedSlot >= slot || wallClockMs - slot * slotMs < tickMs) {
            return false;
        }
        long age = Math.max(t.oldestAgeInSlot, t.oldestAgeInPreviousSlot);
        boolean heavy = t.scoredInPreviousSlot >= heavyImagesPerSlot || t.scoredInSlot >= heavyImagesPerSlot
                || age > BEHIND_SLOTS * slotMs;
        if (heavy && wallClockMs - t.committedAtMs < Math.max(HEAVY_LOAD_COMMIT_GAP_MS, age / AGE_PER_COMMIT_GAP)) {
            return false;
        }
        t.committedSlot = slot;
        t.committedAtMs = wallClockMs;
        return true;
    }

    private ThreadState roll(long wallClockMs) {
        ThreadState t = threads.get();
        long slot = slotOf(wallClockMs);
        if (slot > t.countedSlot) {
            boolean next = slot == t.countedSlot + 1;
            t.scoredInPreviousSlot = next ? t.scoredInSlot : 0;
            t.oldestAgeInPreviousSlot = next ? t.oldestAgeInSlot : 0;
            t.scoredInSlot = 0;
            t.oldestAgeInSlot = 0;
            t.countedSlot = slot;
        }
        return t;
    }
}
