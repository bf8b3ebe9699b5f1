package dev.keepalive.transport.internal.pool;

import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.PoolExhaustedException;

/**
 * A wait at the cap that timed out, and the cap as it was then: thrown out of the locked part of
 * {@link ConnectionPool#acquire} so that the {@link PoolExhaustedException}, which asks the body tracker who holds
 * the connections, is built after the lock is released. Control flow, not an error: it never leaves the package.
 */
final class Exhausted extends Exception {

    private static final long serialVersionUID = 1L;

    final transient Route route;
    final int maxConns;
    final int active;
    final int idle;
    final int waiting;
    /** The pool was shut down meanwhile (rule 22): not a pool timeout, counted nowhere. */
    final boolean shutdown;

    /** The cap of {@code pool} now; under the pool lock. */
    Exhausted(RoutePool pool, boolean shutdown) {
        super(null, null, false, false); // no stack trace
        this.route = pool.route();
        this.maxConns = pool.maxConns();
        this.active = pool.active();
        this.idle = pool.idleCount();
        this.waiting = pool.waiting();
        this.shutdown = shutdown;
    }

    /** The exception for the caller, with {@code diagnostic}'s account of who holds the connections; unlocked. */
    PoolExhaustedException toException(long waitedNanos, ExhaustionDiagnostic diagnostic) {
        String name = this.route.name();
        String counts = "timed out after " + TimeUnit.NANOSECONDS.toMillis(waitedNanos)
                + " ms waiting for a connection to " + name + ": max-conns-per-host is " + this.maxConns + " ("
                + this.active + " active, " + this.idle + " idle, " + this.waiting + " waiting).";
        return new PoolExhaustedException(name, counts + diagnostic.describe(name));
    }
}
