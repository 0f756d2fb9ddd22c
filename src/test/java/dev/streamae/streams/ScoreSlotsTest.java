package dev.streamae.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ScoreSlotsTest {

    private final ScoreSlots slots = new ScoreSlots(Duration.ofMillis(10), 256);

    @Test
    void slotsAndTicksFollowTheDelay() {
        assertThat(slots.tickMs()).isEqualTo(2);
        assertThat(slots.slotOf(0)).isEqualTo(0);
        assertThat(slots.slotOf(9)).isEqualTo(0);
        assertThat(slots.slotOf(10)).isEqualTo(1);
        assertThat(new ScoreSlots(Duration.ofMillis(3), 256).tickMs()).isEqualTo(1);
        assertThat(new ScoreSlots(Duration.ZERO, 256).slotOf(7)).isEqualTo(7);
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

    @Test
    void underHeavyLoadAThreadCommitsLessOften() {
        // A quarter of a 256-image batch per 10 ms slot is heavy: commits at least 25 ms apart.
        slots.scored(5_001, 64, 5_001);
        assertThat(slots.claimCommit(5_003)).isTrue();
        slots.scored(5_011, 64, 5_011);
        assertThat(slots.claimCommit(5_013)).as("heavy, 10 ms after the last commit").isFalse();
        assertThat(slots.claimCommit(5_019)).isFalse();
        slots.scored(5_021, 64, 5_021);
        assertThat(slots.claimCommit(5_023)).as("heavy, 20 ms after").isFalse();
        assertThat(slots.claimCommit(5_028)).as("heavy, 25 ms after").isTrue();

        slots.scored(5_031, 63, 5_031);
        assertThat(slots.claimCommit(5_033)).as("the previous slot's 64 images still count").isFalse();
        slots.scored(5_041, 10, 5_041);
        assertThat(slots.claimCommit(5_043)).as("63 images in the previous slot: light again").isTrue();
        assertThat(slots.claimCommit(5_053)).as("10 images in the previous slot: light").isTrue();
    }

    @Test
    void aThreadThatScoresOldImagesIsBehindAndCommitsLessOften() {
        slots.scored(6_001, 1, 6_000);
        assertThat(slots.claimCommit(6_003)).isTrue();
        slots.scored(6_011, 1, 6_011 - 51);
        assertThat(slots.claimCommit(6_013)).as("an image 51 ms old: behind, 10 ms after the last commit").isFalse();
        assertThat(slots.claimCommit(6_028)).as("behind, 25 ms after").isTrue();
        slots.scored(6_031, 1, 6_031 - 50);
        assertThat(slots.claimCommit(6_033)).as("50 ms old is not behind: caught up").isTrue();
    }

    @Test
    void theFurtherBehindTheLongerTheGapBetweenCommits() {
        // Catching up: every slot scores a batch whose oldest image is 400 ms old.
        long now = 7_001;
        long lastCommit = -1;
        for (int commits = 0; commits < 3; now += 10) {
            slots.scored(now, 200, now - 400);
            if (slots.claimCommit(now + 2)) {
                if (lastCommit >= 0) {
                    assertThat(now + 2 - lastCommit).as("a quarter of 400 ms between commits").isEqualTo(100);
                }
                lastCommit = now + 2;
                commits++;
            }
        }
        // Caught up, still heavy: the 25 ms gap again once the old images are out of both slots.
        slots.scored(now, 200, now - 2);
        slots.scored(now + 10, 200, now + 10 - 2);
        assertThat(slots.claimCommit(now + 12)).as("20 ms after the last commit").isFalse();
        slots.scored(now + 20, 200, now + 20 - 2);
        assertThat(slots.claimCommit(now + 22)).as("30 ms after").isTrue();
    }
}
