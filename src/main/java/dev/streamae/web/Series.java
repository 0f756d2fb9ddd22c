package dev.streamae.web;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A bounded, append-only series whose items carry a sequence number, so that one reader can ask
 * for "everything after the last sequence I sent" (a delta) or for everything kept (a snapshot for a
 * newly connected page). Not thread-safe: {@link DashboardState} guards it.
 */
final class Series<T> {

    private record Item<T>(long seq, T value) {
    }

    private final int capacity;
    private final ArrayDeque<Item<T>> items;
    private long lastSeq;

    Series(int capacity) {
        this.capacity = capacity;
        this.items = new ArrayDeque<>(capacity);
    }

    void add(T value) {
        if (items.size() == capacity) {
            items.removeFirst();
        }
        items.addLast(new Item<>(++lastSeq, value));
    }

    /** Sequence number of the newest item (0 before the first). */
    long lastSeq() {
        return lastSeq;
    }

    /** The newest item, or null before the first. */
    T last() {
        Item<T> item = items.peekLast();
        return item == null ? null : item.value();
    }

    int size() {
        return items.size();
    }

    /** Items added after {@code seq}, oldest first (at most the capacity: older ones were dropped). */
    List<T> after(long seq) {
        List<T> out = new ArrayList<>();
        Iterator<Item<T>> it = items.descendingIterator();
        while (it.hasNext()) {
            Item<T> item = it.next();
            if (item.seq() <= seq) {
                break;
            }
            out.add(item.value());
        }
        java.util.Collections.reverse(out);
        return out;
    }

    List<T> all() {
        return after(0);
    }
}
