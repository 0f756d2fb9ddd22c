package dev.streamae.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used. On a shared machine, CPU time per image moves far less with other
 * load than images per second do, so it is what to compare when judging a change.
 */
final class ProcessCpu {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {
    }

    /** CPU time of this process (all threads) in nanoseconds, or -1 if the platform does not tell. */
    static long nanos() {
        return OS.getProcessCpuTime();
    }

    /** Time the JIT compilers of this JVM have spent compiling, in milliseconds (summed over its compiler threads). */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** Microseconds of CPU per image between two readings, NaN if unknown. */
    static double microsPerImage(long cpuBefore, long cpuAfter, long images) {
        if (cpuBefore < 0 || cpuAfter < cpuBefore || images <= 0) {
            return Double.NaN;
        }
        return (cpuAfter - cpuBefore) / 1e3 / images;
    }
}
