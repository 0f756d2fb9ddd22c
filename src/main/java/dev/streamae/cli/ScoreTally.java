package dev.streamae.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every score record a demo reads, counted per image id, so that "each image scored exactly once"
 * is checked rather than assumed. A map from id to score would keep one record per id whatever
 * arrived, which makes the check at-least-once: a duplicate overwrites its twin unseen. Feed it
 * only records read with {@code isolation.level=read_committed}: exactly-once is a promise about
 * committed output, and an aborted transaction's records are not part of it.
 *
 * <p>Thread-safe for one writer (the collector thread) and readers at any time.
 */
final class ScoreTally {

    /** Ids listed in a report line, at most; the counts are always exact. */
    static final int IDS_SHOWN = 5;

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** Counts one score record of image {@code id}. */
    void count(String id) {
        counts.merge(id, 1, Integer::sum);
    }

    /** Distinct ids with at least one score record. */
    int distinctIds() {
        return counts.size();
    }

    /** Compares what was counted with the ids that were sent. */
    Check check(Set<String> expected) {
        List<String> duplicated = new ArrayList<>();
        long records = 0;
        long unexpected = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            records += e.getValue();
            if (e.getValue() > 1) {
                duplicated.add(e.getKey());
            }
            if (!expected.contains(e.getKey())) {
                unexpected++;
            }
        }
        List<String> missing = expected.stream().filter(id -> !counts.containsKey(id)).sorted().toList();
        return new Check(expected.size(), records, duplicated.stream().sorted().toList(), missing, unexpected);
    }

    /**
     * The outcome: exactly once means every expected id has exactly one record and nothing else
     * was scored.
     *
     * @param expected ids sent
     * @param records score records counted (duplicates included)
     * @param duplicated ids with more than one record, sorted
     * @param missing expected ids with no record, sorted
     * @param unexpected ids scored that were never sent
     */
    record Check(int expected, long records, List<String> duplicated, List<String> missing, long unexpected) {

        boolean exactlyOnce() {
            return duplicated.isEmpty() && missing.isEmpty() && unexpected == 0;
        }

        /** E.g. {@code 6,998 of 7,000 images, 6,999 score records (each exactly once: NO; 1 duplicated [a], 2 missing [b, c])}. */
        String summary() {
            StringBuilder sb = new StringBuilder(String.format(
                    "%,d of %,d images, %,d score records (each exactly once: %s; %,d duplicated%s, %,d missing%s",
                    expected - missing.size(), expected, records, exactlyOnce() ? "yes" : "NO",
                    duplicated.size(), ids(duplicated), missing.size(), ids(missing)));
            if (unexpected > 0) {
                sb.append(String.format(", %,d never sent", unexpected));
            }
            return sb.append(')').toString();
        }

        private static String ids(List<String> ids) {
            if (ids.isEmpty()) {
                return "";
            }
            return " " + ids.subList(0, Math.min(ids.size(), IDS_SHOWN))
                    + (ids.size() > IDS_SHOWN ? " and " + (ids.size() - IDS_SHOWN) + " more" : "");
        }
    }
}
