package dev.keepalive.transport;

/**
 * How a tracked response body ended. The {@link #key()} strings are the {@code outcome} tag of the
 * {@code keepalive.bodies.closed} meter.
 */
public enum BodyOutcome {
    /** Read to EOF and closed: the connection went back to the pool at EOF. */
    EOF("eof"),
    /** Closed early; the rest fit the drain budget, was read, and the connection was reused. */
    EARLY_DRAINED("early-drained"),
    /** Closed early; the rest was over the drain budget, so the connection was closed unread. */
    EARLY_DISCARDED("early-discarded"),
    /** Read to EOF but never closed: nothing leaked, but a habit to fix. */
    EOF_NOT_CLOSED("eof-not-closed"),
    /** Dropped by the application while still open: a leak. */
    LEAKED("leaked");

    private final String key;

    BodyOutcome(String key) {
        this.key = key;
    }

    /** The lower-case, hyphenated name used in metric tags. */
    public String key() {
        return this.key;
    }
}
