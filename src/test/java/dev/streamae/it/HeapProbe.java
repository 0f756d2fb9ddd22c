package dev.streamae.it;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap in use after garbage collection: what a test can compare before and after a load. */
final class HeapProbe {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private HeapProbe() {
    }

    /** Bytes of heap in use after a few full collections (the least of three readings). */
    static long usedAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            least = Math.min(least, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    static double megabytes(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
