package dev.keepalive.transport;

/**
 * Receives events that a snapshot cannot carry, such as how long each caller waited for a connection or
 * which body was found leaked. {@link #connectionAcquired} is called on the caller's thread; the body
 * events and {@link #routeRemoved} on the transport's housekeeping thread. Always outside any lock; implementations must be fast
 * and must not throw.
 */
public interface TransportListener {

    /**
     * A caller got a connection, or gave up waiting for one.
     *
     * @param route the route, {@code scheme://host:port}
     * @param outcome how it got it
     * @param nanos time spent acquiring, in nanoseconds (excluding connect and TLS)
     */
    default void connectionAcquired(String route, AcquireOutcome outcome, long nanos) {
    }

    /**
     * A route had no connection and no waiter for {@code idle-conn-timeout} and was dropped (rule 23); it
     * no longer shows in snapshots. Called on the housekeeping thread. It comes back at its next request.
     *
     * @param route the route's name, as in {@link #connectionAcquired}
     */
    default void routeRemoved(String route) {
    }

    /** A body was found dropped while still open (rule 12), after it was counted as leaked. */
    default void bodyLeaked(BodySnapshot body) {
    }

    /** A body became a leak suspect (rule 11): no read for leak-detection.threshold. */
    default void leakSuspected(BodySnapshot body) {
    }

    /**
     * A body read to EOF was dropped without being closed (rule 7), after it was counted as
     * {@code eof-not-closed}: nothing leaked, but a habit to fix.
     */
    default void bodyDroppedAtEof(BodySnapshot body) {
    }
}
