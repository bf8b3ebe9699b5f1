package dev.keepalive.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap bytes allocated by every live thread of this JVM, from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long[])}. JDK 17 has no process-wide
 * total, so a snapshot keeps one count per thread and {@link Snapshot#allocatedSince(Snapshot)} adds up
 * the growth of every thread alive at the later snapshot (a thread born in between counts from zero).
 * This covers the callers and the clients' own I/O threads; the allocations of a thread that ended
 * between the two snapshots are lost, which the warm-up keeps rare (pools are started by then).
 */
public final class HeapAllocations {

    private final com.sun.management.ThreadMXBean bean;

    /** Binds to the platform's thread bean and turns allocation counting on. */
    public HeapAllocations() {
        this.bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!this.bean.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        this.bean.setThreadAllocatedMemoryEnabled(true);
    }

    /** The allocation count of every live thread now. */
    public Snapshot snapshot() {
        long[] ids = this.bean.getAllThreadIds();
        long[] bytes = this.bean.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byThread.put(ids[i], bytes[i]);
            }
        }
        return new Snapshot(byThread);
    }

    /**
     * Per-thread allocation counts at one moment.
     *
     * @param byThread allocated bytes keyed by thread id
     */
    public record Snapshot(Map<Long, Long> byThread) {

        /** Bytes allocated between {@code earlier} and this snapshot by the threads alive now. */
        public long allocatedSince(Snapshot earlier) {
            long total = 0;
            for (Map.Entry<Long, Long> e : this.byThread.entrySet()) {
                total += e.getValue() - earlier.byThread.getOrDefault(e.getKey(), 0L);
            }
            return total;
        }
    }
}
