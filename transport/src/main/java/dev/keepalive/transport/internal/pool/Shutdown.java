package dev.keepalive.transport.internal.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.CloseReason;

/**
 * Shutting the pool down (design §3 rule 22) and the one flag that says it is: from then on the pool refuses new
 * requests, idle connections are closed at once and waiting callers get a "closed" error (never counted as a
 * timeout). Exchanges in flight may finish for up to {@code shutdown-grace}, each closing its connection as it
 * gives it back; then whatever is still leased is taken back and closed under its reader, as {@code shutdown}.
 *
 * <p>Runs under the pool's lock ({@link ConnectionPool}); waits for exchanges in flight on a {@link Condition} of
 * that lock, which gives the lock up while it waits.
 */
final class Shutdown {

    private final ConnectionPool pool;
    private final ReentrantLock lock;
    /** Signalled, once the pool is closed, whenever a connection closes: the grace waits on it. */
    private final Condition drained;
    private final long graceNanos;
    /** Whether the pool is shut down; set once. Guarded by the pool lock. */
    private boolean closed;

    Shutdown(ConnectionPool pool, ReentrantLock lock, long graceNanos) {
        this.pool = pool;
        this.lock = lock;
        this.drained = lock.newCondition();
        this.graceNanos = graceNanos;
    }

    /** Whether the pool is shut down (or shutting down). Under the pool lock. */
    boolean isClosedLocked() {
        return this.closed;
    }

    /** A connection closed: once shut down, that may end the grace early. Under the pool lock. */
    void connectionClosedLocked() {
        if (this.closed) {
            this.drained.signalAll();
        }
    }

    /** Shuts the pool down: blocks for at most the grace; a second call returns at once. */
    void close() {
        List<PooledConnection> toClose = new ArrayList<>();
        this.lock.lock();
        try {
            if (this.closed) {
                return;
            }
            this.closed = true;
            for (RoutePool route : this.pool.routes.values()) {
                for (PooledConnection conn : route.idleConnections()) {
                    toClose.add(this.pool.closeLocked(conn, CloseReason.SHUTDOWN));
                }
                route.wakeAllWaiters();
            }
        }
        finally {
            this.lock.unlock();
            ConnectionPool.closeAll(toClose);
        }
        awaitInFlight();
    }

    private void awaitInFlight() {
        List<PooledConnection> forced = new ArrayList<>();
        boolean interrupted = false;
        this.lock.lock();
        try {
            long remaining = this.graceNanos;
            while (remaining > 0 && liveLocked() > 0) {
                try {
                    remaining = this.drained.awaitNanos(remaining);
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                    break;
                }
            }
            for (RoutePool route : this.pool.routes.values()) {
                for (PooledConnection conn : route.liveConnections()) {
                    Lease lease = conn.lease;
                    // Take the lease back, unless its holder is giving it back right now (it then closes it).
                    if (lease != null && lease.claimReturn()) {
                        forced.add(this.pool.closeLocked(conn, CloseReason.SHUTDOWN));
                    }
                }
            }
        }
        finally {
            this.lock.unlock();
            // Abortive: a reader blocked on the socket wakes with an exception at once.
            for (PooledConnection conn : forced) {
                conn.closeWire(true);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int liveLocked() {
        int live = 0;
        for (RoutePool route : this.pool.routes.values()) {
            live += route.liveCount();
        }
        return live;
    }
}
