package dev.streamae.bench;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The memory a process really needs while it works, sampled without disturbing it: the heap in use
 * right after the garbage collector's most recent collection (what survived, not garbage waiting
 * to be collected) and the resident set size ({@code VmRSS} from {@code /proc/self/status}, heap
 * plus ND4J's native buffers, RocksDB and code). Both are kept as maxima over the sampling period.
 */
public final class MemorySampler implements AutoCloseable {

    private static final long MB = 1L << 20;

    private final Thread thread;
    private final Set<String> heapPools;
    private volatile boolean running = true;
    private volatile long maxHeapAfterGc;
    private volatile long maxRss;

    private MemorySampler(long periodMillis) {
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-memory-sampler");
        thread.setDaemon(true);
    }

    /** Starts sampling every {@code periodMillis}. */
    public static MemorySampler start(long periodMillis) {
        MemorySampler s = new MemorySampler(periodMillis);
        s.thread.start();
        return s;
    }

    private void sample() {
        for (java.lang.management.GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof GarbageCollectorMXBean sun) {
                GcInfo info = sun.getLastGcInfo();
                if (info != null) {
                    long used = heapUsed(info.getMemoryUsageAfterGc());
                    maxHeapAfterGc = Math.max(maxHeapAfterGc, used);
                }
            }
        }
        maxRss = Math.max(maxRss, residentBytes());
    }

    private long heapUsed(Map<String, MemoryUsage> pools) {
        return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed()).sum();
    }

    /** Largest heap in use after a collection so far, in MB (0 before the first collection). */
    public double maxHeapAfterGcMb() {
        sample();
        return (double) maxHeapAfterGc / MB;
    }

    /** Largest resident set size so far, in MB (0 where /proc is not available). */
    public double maxRssMb() {
        sample();
        return (double) maxRss / MB;
    }

    /**
     * The heap in use right after a full collection asked for now, in MB: what is live at this
     * moment (e.g. every model an app holds), which the sampled maximum cannot tell apart from what
     * earlier work in the same JVM left live.
     */
    public static double heapAfterFullGcMb() {
        System.gc();
        return (double) ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB;
    }

    /** The maximum heap this JVM may use, in MB ({@code -Xmx}). */
    public static double maxHeapMb() {
        return (double) Runtime.getRuntime().maxMemory() / MB;
    }

    /** {@code VmRSS} of this process in bytes, or 0 if it cannot be read. */
    static long residentBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            return parseVmRss(lines);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The {@code VmRSS:   123456 kB} line of a /proc status file, in bytes; 0 if absent. */
    static long parseVmRss(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return 0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
