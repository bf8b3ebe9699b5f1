package dev.keepalive.benchmarks;

import java.time.Duration;

/**
 * The bounds of one measurement: a warm-up, a window, and a cap on requests per window so that no
 * loop runs unbounded in count even on a very fast machine.
 *
 * @param warmUp load run before the window, not measured
 * @param window the measured load
 * @param maxRequests most requests a window may carry, across all its callers
 */
public record Timing(Duration warmUp, Duration window, long maxRequests) {
}
