package dev.keepalive.transport.internal.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.keepalive.transport.AcquireOutcome;

/**
 * One hand-out of a connection to one exchange, and the only way to give it back: {@link ConnectionPool#release} takes
 * the lease, and a lease can be given back once (a compare-and-set), whichever thread and path comes
 * first (EOF, close, drain, failure, leak reclaim, shutdown). The pool also refuses a lease that is not
 * the connection's current one, so a late or repeated release can never touch a connection that has
 * since been handed to somebody else. {@code nearCap}: the route had half its cap in use or callers
 * waiting, so the body tracker records who opens bodies there.
 */
public final class Lease {

    private static final VarHandle RETURNED;

    static {
        try {
            RETURNED = MethodHandles.lookup().findVarHandle(Lease.class, "returned", boolean.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final PooledConnection connection;
    final AcquireOutcome outcome;
    private final boolean reused;
    final boolean nearCap;
    /** Idle long enough to be checked (IdleCheck) before use. */
    final boolean needsCheck;
    /** How long the connection had been idle when it was handed out; 0 for a new one. */
    final long idleNanos;
    @SuppressWarnings("unused") // through RETURNED
    private volatile boolean returned;

    Lease(PooledConnection connection, AcquireOutcome outcome, boolean reused, boolean nearCap,
            boolean needsCheck, long idleNanos) {
        this.connection = connection;
        this.outcome = outcome;
        this.reused = reused;
        this.nearCap = nearCap;
        this.needsCheck = needsCheck;
        this.idleNanos = idleNanos;
    }

    public PooledConnection connection() {
        return this.connection;
    }

    public AcquireOutcome outcome() {
        return this.outcome;
    }

    /** Whether the connection had carried an exchange before this one. */
    public boolean reused() {
        return this.reused;
    }

    public boolean nearCap() {
        return this.nearCap;
    }

    /** Whether it has been given back (or taken back by shutdown). */
    boolean isReturned() {
        return this.returned;
    }

    /** Claims the one release of this lease; false when another path already did. */
    boolean claimReturn() {
        return RETURNED.compareAndSet(this, false, true);
    }
}
