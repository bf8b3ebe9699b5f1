package dev.keepalive.transport.internal.body;

/**
 * When the housekeeper may next ask for a garbage collection to find dropped responses: not before
 * {@code base} after the previous request, and twice as long as last time whenever the previous request
 * found nothing (up to {@code max}); back to {@code base} once one found something. Not thread-safe: the
 * housekeeping thread owns it.
 */
final class CollectionBackoff {

    private final long baseNanos;
    private final long maxNanos;
    private long intervalNanos;
    private long lastNanos;
    private boolean requestedBefore;

    CollectionBackoff(long baseNanos, long maxNanos) {
        this.baseNanos = baseNanos;
        this.maxNanos = maxNanos;
        this.intervalNanos = baseNanos;
    }

    /** Whether a collection may be requested at {@code now} (a {@link System#nanoTime()} value). */
    boolean due(long now) {
        return !this.requestedBefore || now - this.lastNanos >= this.intervalNanos;
    }

    /**
     * A collection is requested at {@code now}.
     *
     * @param previousFoundLeaks whether dropped responses were found since the previous request
     */
    void requested(long now, boolean previousFoundLeaks) {
        if (this.requestedBefore) {
            this.intervalNanos = previousFoundLeaks ? this.baseNanos : Math.min(this.maxNanos, this.intervalNanos * 2);
        }
        this.requestedBefore = true;
        this.lastNanos = now;
    }

    /** The wait before the next request may follow this one. */
    long intervalNanos() {
        return this.intervalNanos;
    }
}
