package dev.keepalive.transport.internal.pool;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.locks.Condition;

import dev.keepalive.transport.CloseReason;

/** One route's share of the pool. Every mutable field is guarded by the pool's lock. */
final class RoutePool {

    final Route route;
    final int maxConns;
    final int maxIdleConns;

    /** Every live connection of the route, oldest first. */
    final LinkedHashSet<PooledConnection> live = new LinkedHashSet<>();
    /** Idle connections, most recently used first (LIFO, Go's idleConn). */
    final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    /** Callers blocked at {@link #maxConns}, first come first served. */
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    /** Idle connections taken out of {@link #idle} for a moment by the housekeeper's check: still idle. */
    int watching;

    long opened;
    /** Since when it has had no connection (meaningful only while {@link #live} is empty). */
    long emptySinceNanos = System.nanoTime();
    final long[] closedBy = new long[CloseReason.values().length];
    long reused;
    /** The server's idle timeout as its closes show it, when it announces none (rule 16). */
    final LearnedIdleTimeout serverIdleTimeout = new LearnedIdleTimeout();

    RoutePool(Route route, int maxConns, int maxIdleConns) {
        this.route = route;
        this.maxConns = maxConns;
        this.maxIdleConns = maxIdleConns;
    }

    int active() {
        return this.live.size() - idleCount();
    }

    /** Idle connections, counting those being checked. */
    int idleCount() {
        return this.idle.size() + this.watching;
    }

    /** Whether one more connection fits under {@link #maxConns}. */
    boolean hasRoom() {
        return this.maxConns == 0 || this.live.size() < this.maxConns;
    }

    /** Half the cap in use, or callers waiting: an exhaustion may be coming. Never true without a cap. */
    boolean nearCap() {
        return this.maxConns > 0 && (2 * this.live.size() >= this.maxConns || !this.waiters.isEmpty());
    }

    long closed() {
        long sum = 0;
        for (long n : this.closedBy) {
            sum += n;
        }
        return sum;
    }

    Map<CloseReason, Long> closedByMap() {
        Map<CloseReason, Long> map = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            map.put(reason, this.closedBy[reason.ordinal()]);
        }
        return map;
    }

    /** A caller blocked at the cap; the pool hands it a connection directly, in arrival order. */
    static final class Waiter {

        final Condition granted;
        final long sinceNanos = System.nanoTime();
        /** The connection state (Apache's user token) the caller asked for; {@code null} for none. */
        final Object userState;
        /** The caller needs a connection that has carried nothing yet (the retry after a stale one, rule 10). */
        final boolean fresh;
        Lease lease;

        Waiter(Condition granted, Object userState, boolean fresh) {
            this.granted = granted;
            this.userState = userState;
            this.fresh = fresh;
        }
    }
}
