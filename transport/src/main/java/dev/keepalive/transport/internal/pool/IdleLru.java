package dev.keepalive.transport.internal.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The idle connections of every route in one order, least recently used first (Go's {@code idleLRU}), and the
 * global idle cap ({@code max-idle-conns}) over them: when the routes together keep more, the pool closes the
 * least recently used of any route. Each route's own idle list ({@link RoutePool}) holds the same connections
 * for its LIFO take; the pool keeps the two in step.
 *
 * <p>Not thread-safe: guarded by the pool's lock ({@link ConnectionPool}), like every method here.
 */
final class IdleLru {

    /** The global cap; 0 for none. Fixed at construction. */
    private final int maxIdle;
    /** Idle connections of every route, least recently used first. Guarded by the pool lock. */
    private final LinkedHashSet<PooledConnection> order = new LinkedHashSet<>();
    /** Idle connections out of {@link #order} for a moment while the housekeeper checks them: still idle. Guarded by the pool lock. */
    private int watching;

    IdleLru(int maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** Idle connections across routes, counting those being checked. */
    int count() {
        return this.order.size() + this.watching;
    }

    /** A connection went idle: it is now the most recently used. */
    void add(PooledConnection conn) {
        this.order.add(conn);
    }

    /** A connection left the idle state (taken, closed, or evicted); no-op when it is not here. */
    void remove(PooledConnection conn) {
        this.order.remove(conn);
    }

    /** The least recently used idle connection while the routes keep more than the cap, else null. */
    PooledConnection overCap() {
        return this.maxIdle > 0 && this.order.size() > this.maxIdle ? this.order.iterator().next() : null;
    }

    /**
     * Takes the idle connections past their idle deadline or lifetime out of this order, into {@code out}.
     * They stay {@code IDLE} in their route's list, which the pool's close takes them out of.
     */
    void takeExpired(long now, long lifetimeNanos, List<PooledConnection> out) {
        Iterator<PooledConnection> it = this.order.iterator();
        while (it.hasNext()) {
            PooledConnection conn = it.next();
            if (conn.expiry(now, lifetimeNanos) != null) {
                it.remove();
                out.add(conn);
            }
        }
    }

    /** A connection leaves this order for the housekeeper's check ({@link RoutePool#takeDueForCheck}). */
    void watch(PooledConnection conn) {
        this.order.remove(conn);
        this.watching++;
    }

    /** A connection taken by {@link #watch} is back from its check, not yet placed anywhere. */
    void watched() {
        this.watching--;
    }

    /**
     * Puts connections that passed their check back, oldest first, before every connection that went idle
     * while they were checked: they have been idle longer.
     */
    void putBackOldest(List<PooledConnection> kept) {
        kept.sort((a, b) -> Long.compare(a.idleSinceNanos - b.idleSinceNanos, 0));
        List<PooledConnection> newer = new ArrayList<>(this.order);
        this.order.clear();
        this.order.addAll(kept);
        this.order.addAll(newer);
    }
}
