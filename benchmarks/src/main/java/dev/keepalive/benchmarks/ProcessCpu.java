package dev.keepalive.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * CPU time (user + system, all threads: callers, I/O threads, GC and JIT) consumed so far by this JVM,
 * from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime()}.
 */
public final class ProcessCpu {

    private final com.sun.management.OperatingSystemMXBean bean;

    /** Binds to the platform's operating-system bean; fails when the JVM does not offer process CPU time. */
    public ProcessCpu() {
        this.bean = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        if (this.bean.getProcessCpuTime() < 0) {
            throw new IllegalStateException("this JVM does not report process CPU time");
        }
    }

    /** Process CPU time in nanoseconds. */
    public long nanos() {
        return this.bean.getProcessCpuTime();
    }
}
