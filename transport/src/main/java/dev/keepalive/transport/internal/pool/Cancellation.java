package dev.keepalive.transport.internal.pool;

/**
 * Lets another thread end a caller's wait at the cap ({@link ConnectionPool#cancel(Cancellation)}), as Apache's
 * {@code LeaseRequest.cancel()} does.
 */
public final class Cancellation {

    /** Set once by {@link ConnectionPool#cancel}. Guarded by the pool lock. */
    boolean cancelled;

    /** The wait it ends, once the caller waits; null before. Guarded by the pool lock. */
    RoutePool.Waiter waiter;
}
