package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import dev.keepalive.transport.AcquireOutcome;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.PoolExhaustedException;
import dev.keepalive.transport.internal.pool.RoutePool.Waiter;

/**
 * A caller's wait at a route's {@code max-conns-per-host}: it queues as a {@link Waiter} on a {@code Condition} of
 * the pool's lock (FIFO; the pool hands it a connection directly, {@link ConnectionPool#grantLocked}) and ends
 * granted, timed out ({@link PoolExhaustedException}, with who holds the connections), cancelled, interrupted or
 * shut down. Also answers the housekeeper which routes have callers starving.
 *
 * <p>Works on the pool's state under its lock ({@link ConnectionPool}); the exception for a timeout is built with
 * the lock released, since it asks the body tracker and calls the listeners.
 */
final class CapWait {

    private final ConnectionPool pool;
    private final ExhaustionDiagnostic diagnostic;

    CapWait(ConnectionPool pool, ExhaustionDiagnostic diagnostic) {
        this.pool = pool;
        this.diagnostic = diagnostic;
    }

    /**
     * Waits at the cap of {@code route} until the pool grants a connection, for at most what is left of
     * {@code timeoutNanos} since {@code start}. Under the pool lock; the condition's wait gives the lock up while
     * it waits, and that is the only place it does. {@code fresh}: the retry after a stale connection (rule 10),
     * which a used connection is never granted to.
     */
    Lease awaitLocked(RoutePool route, long start, long timeoutNanos, Cancellation cancellation,
            Object userState, boolean fresh, List<PooledConnection> toClose) throws IOException, Exhausted {
        assert this.pool.lock.isHeldByCurrentThread();
        Waiter waiter = new Waiter(this.pool.lock.newCondition(), userState, fresh);
        if (cancellation != null) {
            cancellation.waiter = waiter;
        }
        route.addWaiter(waiter);
        this.pool.counts.waitStarted(waiter);
        long remaining = timeoutNanos - (System.nanoTime() - start);
        try {
            while (waiter.lease == null) {
                if (this.pool.shutdown.isClosedLocked()) {
                    // Shutdown is not starvation: no timeout is counted, so health does not turn DOWN.
                    route.removeWaiter(waiter);
                    throw ConnectionPool.closedError("while waiting for a connection to " + route.route().name());
                }
                if (cancellation != null && cancellation.cancelled) {
                    route.removeWaiter(waiter);
                    throw new CancellationException("The wait for a connection to " + route.route().name()
                            + " was cancelled");
                }
                if (remaining <= 0) {
                    route.removeWaiter(waiter);
                    this.pool.counts.waitEnded(waiter);
                    throw timedOutLocked(route);
                }
                remaining = waiter.granted.awaitNanos(remaining);
            }
            return waiter.lease;
        }
        catch (InterruptedException ex) {
            route.removeWaiter(waiter);
            if (waiter.lease != null && waiter.lease.claimReturn()) {
                // Granted just as we were interrupted: give it to the next caller.
                this.pool.releaseLocked(waiter.lease, true, 0, CloseReason.SHUTDOWN, toClose);
            }
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for a connection to " + route.route().name());
        }
        finally {
            this.pool.counts.waitEnded(waiter);
        }
    }

    /**
     * A caller's wait at the cap of {@code route} ran out: records the time of the timeout and what the cap
     * looked like, under the lock. The exception is made by {@link #exhausted} once the lock is released,
     * because it calls the listeners and the body tracker.
     */
    private Exhausted timedOutLocked(RoutePool route) {
        // Rule 22: a caller failed by shutdown is no pool timeout (no DOWN health, no timeout metric or alert).
        boolean shutdown = this.pool.shutdown.isClosedLocked();
        if (!shutdown) {
            this.pool.counts.acquireTimedOut(System.currentTimeMillis());
        }
        return new Exhausted(route, shutdown);
    }

    /** The exception for a timed-out wait, with the diagnostic; never called with the lock held. */
    PoolExhaustedException exhausted(Exhausted at, long start, ConnectionAcquireEvent event) {
        long waited = System.nanoTime() - start;
        if (!at.shutdown) {
            this.pool.listeners.acquired(at.route, AcquireOutcome.TIMEOUT, waited);
            PoolExhaustedEvent.commit(at.route.name(), at.maxConns, at.active, at.idle, at.waiting, waited);
            event.finish(at.route, AcquireOutcome.TIMEOUT, waited);
        }
        return at.toException(waited, this.diagnostic);
    }

    /** Ends the wait of the caller that {@code cancellation} belongs to, now or as soon as it waits. */
    void cancel(Cancellation cancellation) {
        this.pool.lock.lock();
        try {
            cancellation.cancelled = true;
            if (cancellation.waiter != null) {
                cancellation.waiter.granted.signal();
            }
        }
        finally {
            this.pool.lock.unlock();
        }
    }

    /** The routes whose first waiter has been waiting at the cap for at least {@code nanos}. */
    List<String> routesWaitingLongerThan(long nanos) {
        List<String> names = new ArrayList<>(0);
        this.pool.lock.lock();
        try {
            long now = System.nanoTime();
            for (RoutePool route : this.pool.routes.values()) {
                Waiter first = route.firstWaiter();
                if (first != null && now - first.sinceNanos >= nanos) {
                    names.add(route.route().name());
                }
            }
        }
        finally {
            this.pool.lock.unlock();
        }
        return names;
    }
}
