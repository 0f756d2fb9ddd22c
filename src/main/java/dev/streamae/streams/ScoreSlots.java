package dev.streamae.streams;

/**
 * Wall-clock slots of {@code score.max.delay.ms} shared by the scoring tasks of one scorer
 * instance, so that a stream thread commits once per slot for all its tasks.
 *
 * <p>Why: a {@code read_committed} reader sees a score only when its transaction commits, and
 * each task of a thread (one per {@code images} partition) scores its own micro-batches. If every
 * task committed after its own batch, a thread with six tasks would commit six times per slot at
 * low rates; if scores waited for {@code commit.interval.ms}, every image would wait for a batch
 * and then for an unrelated commit timer. Instead every task scores what it buffered in earlier
 * slots at its first tick of a new slot, and one of them requests the commit a tick later, when
 * all of them have scored: an image waits at most one slot and two ticks plus the commit.
 *
 * <p>The per-thread state is in a {@link ThreadLocal}: Kafka Streams runs all of a thread's tasks
 * on that thread, and a commit commits all of them.
 */
final class ScoreSlots {

    private final long slotMs;
    private final long tickMs;
    private final ThreadLocal<long[]> committedSlot = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});

    ScoreSlots(java.time.Duration slot) {
        this.slotMs = Math.max(1, slot.toMillis());
        // Five ticks per slot: all tasks score within the first tick, the commit follows in the second.
        this.tickMs = Math.max(1, slotMs / 5);
    }

    long slotOf(long wallClockMs) {
        return Math.floorDiv(wallClockMs, slotMs);
    }

    long tickMs() {
        return tickMs;
    }

    /**
     * True at most once per slot and thread, and only from the second tick of the slot on, by
     * when every task of the thread has scored the images of earlier slots.
     */
    boolean claimCommit(long wallClockMs) {
        long slot = slotOf(wallClockMs);
        long[] committed = committedSlot.get();
        if (committed[0] >= slot || wallClockMs - slot * slotMs < tickMs) {
            return false;
        }
        committed[0] = slot;
        return true;
    }
}
