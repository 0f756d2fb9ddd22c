package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The demo's exactly-once check counts records, so a duplicate or a gap fails it. */
class ScoreTallyTest {

    private static final Set<String> SENT = Set.of("run-1", "run-2", "run-3");

    @Test
    void oneRecordPerSentImageIsExactlyOnce() {
        ScoreTally tally = new ScoreTally();
        SENT.forEach(tally::count);

        ScoreTally.Check check = tally.check(SENT);

        assertThat(check.exactlyOnce()).isTrue();
        assertThat(check.records()).isEqualTo(3);
        assertThat(check.summary()).isEqualTo(
                "3 of 3 images, 3 score records (each exactly once: yes; 0 duplicated, 0 missing)");
    }

    @Test
    void aDuplicatedScoreRecordFailsTheCheckAndIsNamed() {
        ScoreTally tally = new ScoreTally();
        SENT.forEach(tally::count);
        tally.count("run-2");

        ScoreTally.Check check = tally.check(SENT);

        assertThat(tally.distinctIds()).as("distinct ids look complete").isEqualTo(SENT.size());
        assertThat(check.exactlyOnce()).isFalse();
        assertThat(check.duplicated()).containsExactly("run-2");
        assertThat(check.missing()).isEmpty();
        assertThat(check.summary()).isEqualTo(
                "3 of 3 images, 4 score records (each exactly once: NO; 1 duplicated [run-2], 0 missing)");
    }

    @Test
    void aMissingScoreFailsTheCheckAndIsNamed() {
        ScoreTally tally = new ScoreTally();
        tally.count("run-1");
        tally.count("run-3");

        ScoreTally.Check check = tally.check(SENT);

        assertThat(check.exactlyOnce()).isFalse();
        assertThat(check.missing()).containsExactly("run-2");
        assertThat(check.summary()).contains("2 of 3 images").contains("0 duplicated, 1 missing [run-2]");
    }

    @Test
    void aScoreForAnImageNeverSentFailsTheCheck() {
        ScoreTally tally = new ScoreTally();
        SENT.forEach(tally::count);
        tally.count("run-4");

        ScoreTally.Check check = tally.check(SENT);

        assertThat(check.exactlyOnce()).isFalse();
        assertThat(check.summary()).endsWith("0 missing, 1 never sent)");
    }

    @Test
    void longListsAreCutButCountedInFull() {
        Set<String> sent = IntStream.range(0, 20).mapToObj(i -> "id-" + (char) ('a' + i)).collect(Collectors.toSet());
        ScoreTally tally = new ScoreTally();
        sent.forEach(id -> {
            tally.count(id);
            tally.count(id);
        });

        ScoreTally.Check check = tally.check(sent);

        assertThat(check.duplicated()).hasSize(20);
        assertThat(check.summary()).contains("20 duplicated [id-a, id-b, id-c, id-d, id-e] and 15 more");
    }
}
