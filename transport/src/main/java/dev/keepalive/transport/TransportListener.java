package dev.keepalive.transport;

/**
 * Receives events that a snapshot cannot carry, such as how long each caller waited for a connection.
 * Called on the caller's thread, outside any lock; implementations must be fast and must not throw.
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
}
