package dev.keepalive.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * The latencies of one caller, in nanoseconds, in an array sized up front so that recording allocates
 * nothing. Recording stops silently at capacity (the caller stops at the same bound).
 */
public final class LatencySamples {

    private final long[] nanos;
    private int size;

    /** An empty recorder for at most {@code capacity} samples. */
    public LatencySamples(int capacity) {
        this.nanos = new long[capacity];
    }

    /** Records one latency. */
    public void record(long latencyNanos) {
        if (this.size < this.nanos.length) {
            this.nanos[this.size++] = latencyNanos;
        }
    }

    /** How many latencies were recorded. */
    public int size() {
        return this.size;
    }

    /**
     * The given percentiles of all callers' samples together, in microseconds ({@code NaN} when empty).
     *
     * @param callers every caller's samples
     * @param percentiles values between 0 and 100
     */
    public static double[] percentileMicros(List<LatencySamples> callers, double... percentiles) {
        int total = callers.stream().mapToInt(LatencySamples::size).sum();
        long[] all = new long[total];
        int at = 0;
        for (LatencySamples s : callers) {
            System.arraycopy(s.nanos, 0, all, at, s.size);
            at += s.size;
        }
        Arrays.sort(all);
        double[] result = new double[percentiles.length];
        for (int i = 0; i < percentiles.length; i++) {
            if (total == 0) {
                result[i] = Double.NaN;
            }
            else {
                int rank = (int) Math.ceil(percentiles[i] / 100.0 * total) - 1;
                result[i] = all[Math.max(0, Math.min(total - 1, rank))] / 1000.0;
            }
        }
        return result;
    }
}
