package dev.keepalive.transport.internal.pool;

/**
 * Lets another thread end a caller's wait at the cap ({@link ConnectionPool#cancel(Cancellation)}), as Apache's
 * {@code LeaseRequest.cancel()} does. Guarded by the pool's lock.
 */
public final class Cancellation {

    boolean cancelled;

    RoutePool.Waiter waiter;
}
