package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ScoreSlotsTest {

    private final ScoreSlots slots = new ScoreSlots(Duration.ofMillis(10));

    @Test
    void slotsAndTicksFollowTheDelay() {
        assertThat(slots.tickMs()).isEqualTo(2);
        assertThat(slots.slotOf(0)).isEqualTo(0);
        assertThat(slots.slotOf(9)).isEqualTo(0);
        assertThat(slots.slotOf(10)).isEqualTo(1);
        assertThat(new ScoreSlots(Duration.ofMillis(3)).tickMs()).isEqualTo(1);
        assertThat(new ScoreSlots(Duration.ZERO).slotOf(7)).isEqualTo(7);
    }

    @Test
    void aThreadCommitsOncePerSlotAndNotInItsFirstTick() {
        assertThat(slots.claimCommit(1_000)).as("first tick: other tasks may still be scoring").isFalse();
        assertThat(slots.claimCommit(1_001)).isFalse();
        assertThat(slots.claimCommit(1_002)).isTrue();
        assertThat(slots.claimCommit(1_004)).as("same slot").isFalse();
        assertThat(slots.claimCommit(1_009)).isFalse();
        assertThat(slots.claimCommit(1_011)).isFalse();
        assertThat(slots.claimCommit(1_013)).isTrue();
        assertThat(slots.claimCommit(1_000)).as("an earlier slot, after a later one").isFalse();
    }

    @Test
    void eachStreamThreadHasItsOwnCommits() throws Exception {
        assertThat(slots.claimCommit(2_005)).isTrue();
        boolean otherThread = CompletableFuture.supplyAsync(() -> slots.claimCommit(2_005)).get();
        assertThat(otherThread).isTrue();
        assertThat(slots.claimCommit(2_006)).isFalse();
    }
}
