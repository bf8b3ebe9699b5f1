package dev.keepalive.transport.internal.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.ConnectionSnapshot;
import dev.keepalive.transport.RouteSnapshot;

/**
 * One route's share of the pool and its policy: which idle connection a caller takes (the most recently used
 * fit one, LIFO as Go's {@code idleConn}), whether a released one may stay idle ({@code max-idle-conns-per-host}),
 * which idle one makes room at the cap (the least recently used), which waiter a given-back connection goes to
 * (the first, FIFO, if its connection state and {@code fresh} allow), and the route's counters.
 *
 * <p>Not thread-safe: every mutable field is guarded by the pool's lock ({@link ConnectionPool}), which every
 * method expects held. What spans routes (the global idle LRU, the totals, closing sockets, leases, waking a
 * waiter) is the pool's: these methods change only this route's state and return what the pool must act on.
 *
 * <p>Above 300 lines for a reason: it is the one owner of every per-route rule, and splitting it would put a
 * rule's two halves (say, the idle cap and what counts as idle while checked) in two places; its methods are
 * small and most of its length is their contracts.
 */
final class RoutePool {

    private final Route route;
    private final int maxConns;
    private final int maxIdleConns;

    /** Every live connection of the route, oldest first. Guarded by the pool lock. */
    private final LinkedHashSet<PooledConnection> live = new LinkedHashSet<>();
    /** Idle connections, most recently used first (LIFO, Go's idleConn). Guarded by the pool lock. */
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    /** Callers blocked at {@link #maxConns}, first come first served. Guarded by the pool lock. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Idle connections taken out of {@link #idle} for a moment by the housekeeper's check: still idle. Guarded by the pool lock. */
    private int watching;

    /** Guarded by the pool lock, as are the counters below. */
    private long opened;
    private long reused;
    private final long[] closedBy = new long[CloseReason.values().length];
    /** Since when it has had no connection (meaningful only while {@link #live} is empty). Guarded by the pool lock. */
    private long emptySinceNanos = System.nanoTime();
    /** The server's idle timeout as its closes show it, when it announces none (rule 16). Guarded by the pool lock. */
    private final LearnedIdleTimeout serverIdleTimeout = new LearnedIdleTimeout();

    RoutePool(Route route, int maxConns, int maxIdleConns) {
        this.route = route;
        this.maxConns = maxConns;
        this.maxIdleConns = maxIdleConns;
    }

    Route route() {
        return this.route;
    }

    int maxConns() {
        return this.maxConns;
    }

    int active() {
        return this.live.size() - idleCount();
    }

    /** Idle connections, counting those being checked. */
    int idleCount() {
        return this.idle.size() + this.watching;
    }

    int liveCount() {
        return this.live.size();
    }

    /** Whether one more connection fits under {@link #maxConns}. */
    boolean hasRoom() {
        return this.maxConns == 0 || this.live.size() < this.maxConns;
    }

    /** Half the cap in use, or callers waiting: an exhaustion may be coming. Never true without a cap. */
    boolean nearCap() {
        return this.maxConns > 0 && (2 * this.live.size() >= this.maxConns || !this.waiters.isEmpty());
    }

    // --- connections coming and going ---------------------------------------------------------------------

    /** Counts a new connection of this route, live from now on. */
    void added(PooledConnection conn) {
        this.live.add(conn);
        this.opened++;
    }

    /**
     * Takes a closing connection out of this route (the idle list too, if it is there) and counts it under
     * {@code reason}. Returns whether it was live here (a second removal counts nothing).
     */
    boolean remove(PooledConnection conn, CloseReason reason, long now) {
        if (conn.state == PooledConnection.State.IDLE) {
            this.idle.remove(conn);
        }
        boolean wasLive = this.live.remove(conn);
        if (this.live.isEmpty()) {
            this.emptySinceNanos = now;
        }
        this.closedBy[reason.ordinal()]++;
        return wasLive;
    }

    /** A hand-out of a connection that had carried an exchange before. */
    void countReuse() {
        this.reused++;
    }

    /** Takes back {@link #countReuse} for a hand-out whose connection failed its idle check unused. */
    void uncountReuse() {
        this.reused--;
    }

    // --- idle connections ------------------------------------------------------------------------------------

    /**
     * Takes the most recently used idle connection that is still fit for use and has connection state
     * {@code userState}, else the most recently used one with none (Apache's rule); with no state anywhere, as
     * on keepalive's own request path, that is the first fit one. Expired ones met on the way
     * ({@link PooledConnection#expiry}) leave the idle list into {@code expired}, for the pool to close. The
     * connections returned and put in {@code expired} are {@code ACTIVE}: out of the route's idle list, still
     * in the pool's LRU.
     */
    PooledConnection takeIdle(Object userState, long now, long lifetimeNanos, List<PooledConnection> expired) {
        PooledConnection chosen = null;
        Iterator<PooledConnection> it = this.idle.iterator();
        while (it.hasNext()) {
            PooledConnection conn = it.next();
            if (conn.expiry(now, lifetimeNanos) != null) {
                it.remove();
                conn.state = PooledConnection.State.ACTIVE;
                expired.add(conn);
            }
            else if (Objects.equals(conn.userState, userState)) {
                chosen = conn;
                break;
            }
            else if (chosen == null && conn.userState == null) {
                chosen = conn;
            }
        }
        if (chosen != null) {
            this.idle.remove(chosen);
            chosen.state = PooledConnection.State.ACTIVE;
        }
        return chosen;
    }

    /**
     * Offers a released, reusable connection to the idle list: refused ({@code false}, the pool closes it as
     * {@code max-idle}) when the route already keeps {@code max-idle-conns-per-host}; else it becomes the most
     * recently used idle connection, with its idle deadline: {@code idleTimeoutNanos}, or less when the server
     * announced {@code keepAliveMillis} or the route has learned a shorter timeout (rule 16).
     */
    boolean offerIdle(PooledConnection conn, long now, long keepAliveMillis, long idleTimeoutNanos) {
        if (idleCount() >= this.maxIdleConns) {
            return false;
        }
        conn.state = PooledConnection.State.IDLE;
        conn.idleSinceNanos = now;
        // The server's announced timeout wins; without one, what the route has learned of it (rule 16).
        long serverNanos = keepAliveMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(keepAliveMillis)
                : this.serverIdleTimeout.limitNanos(now);
        // Capped so that the deadline never overflows nanoTime arithmetic (2^61 ns is 73 years).
        conn.idleDeadlineNanos = now + Math.min(Math.min(idleTimeoutNanos, serverNanos), 1L << 61);
        this.idle.addFirst(conn);
        return true;
    }

    /** The least recently used idle connection, to close to make room at the cap; null when none is idle. */
    PooledConnection leastRecentlyUsedIdle() {
        return this.idle.peekLast();
    }

    /**
     * Takes the idle connections idle since {@code cutoffNanos} or before out of the idle list for the
     * housekeeper's check, into {@code out}, oldest first; they count as idle until {@link #checked}.
     */
    void takeDueForCheck(long cutoffNanos, List<PooledConnection> out) {
        // The idle list is ordered by idle time, so the connections due are the oldest ones, at the tail.
        PooledConnection oldest;
        while ((oldest = this.idle.peekLast()) != null && oldest.idleSinceNanos - cutoffNanos <= 0) {
            this.idle.pollLast();
            this.watching++;
            out.add(oldest);
        }
    }

    /** One connection taken by {@link #takeDueForCheck} is back from its check, not yet placed anywhere. */
    void checked() {
        this.watching--;
    }

    /**
     * Puts a connection that passed its check back as the least recently used idle one: checked connections
     * come back newest first, and each is older than any that went idle meanwhile.
     */
    void putBackChecked(PooledConnection conn) {
        this.idle.addLast(conn);
    }

    /** A copy of the idle list, for shutdown to close. */
    List<PooledConnection> idleConnections() {
        return new ArrayList<>(this.idle);
    }

    /** A copy of the live connections, for shutdown to take back. */
    List<PooledConnection> liveConnections() {
        return new ArrayList<>(this.live);
    }

    // --- waiters ---------------------------------------------------------------------------------------------

    void addWaiter(Waiter waiter) {
        this.waiters.addLast(waiter);
    }

    void removeWaiter(Waiter waiter) {
        this.waiters.remove(waiter);
    }

    boolean hasWaiters() {
        return !this.waiters.isEmpty();
    }

    int waiting() {
        return this.waiters.size();
    }

    /** The caller that has waited longest here, or null. */
    Waiter firstWaiter() {
        return this.waiters.peekFirst();
    }

    /**
     * Whether the first waiter (there is one) may take {@code conn}, a used connection given back: not a retry
     * after a stale connection (it may be stale too, rule 10), and not a connection with another caller's
     * connection state (an authenticated connection is never handed over). When it may not, the pool closes
     * {@code conn} and the waiter gets a new connection in its slot.
     */
    boolean firstWaiterTakes(PooledConnection conn) {
        Waiter first = this.waiters.peekFirst();
        return !first.fresh && (conn.userState == null || Objects.equals(conn.userState, first.userState));
    }

    /** Removes and returns the first waiter, to be granted a connection; null when none waits. */
    Waiter nextWaiter() {
        return this.waiters.pollFirst();
    }

    /** Wakes every waiter (shutdown: each then finds the pool closed). */
    void wakeAllWaiters() {
        this.waiters.forEach((w) -> w.granted.signal());
    }

    // --- rule 16 and rule 23 -------------------------------------------------------------------------------

    /** A connection of this route was found closed by the server after {@code idleNanos} idle (rule 16). */
    void serverClosedAfter(long idleNanos, long now) {
        this.serverIdleTimeout.closedAfter(idleNanos, now);
    }

    /** A connection of this route carried an exchange after {@code idleNanos} idle: the server kept it. */
    void reusedAfter(long idleNanos) {
        this.serverIdleTimeout.reusedAfter(idleNanos);
    }

    /** Rule 23: no connection and no waiter for {@code idleTimeoutNanos}, so the route may be dropped. */
    boolean unusedFor(long idleTimeoutNanos, long now) {
        return this.live.isEmpty() && this.waiters.isEmpty() && now - this.emptySinceNanos >= idleTimeoutNanos;
    }

    // --- counts ----------------------------------------------------------------------------------------------

    long opened() {
        return this.opened;
    }

    long reused() {
        return this.reused;
    }

    /** Adds this route's close counts, by {@link CloseReason} ordinal, to {@code sums}. */
    void addClosedBy(long[] sums) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += this.closedBy[i];
        }
    }

    RouteSnapshot snapshot(long now) {
        List<ConnectionSnapshot> connections = new ArrayList<>(this.live.size());
        for (PooledConnection conn : this.live) {
            boolean isIdle = conn.state == PooledConnection.State.IDLE;
            connections.add(new ConnectionSnapshot(conn.id, conn.state.key, conn.localPort(),
                    TimeUnit.NANOSECONDS.toMillis(now - conn.createdNanos),
                    isIdle ? TimeUnit.NANOSECONDS.toMillis(now - conn.idleSinceNanos) : 0, conn.requests));
        }
        long closed = 0;
        Map<CloseReason, Long> closedByMap = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            closedByMap.put(reason, this.closedBy[reason.ordinal()]);
            closed += this.closedBy[reason.ordinal()];
        }
        return new RouteSnapshot(this.route.name(), active(), idleCount(), this.waiters.size(), this.maxConns,
                this.maxIdleConns, this.opened, closed, this.reused, Collections.unmodifiableMap(closedByMap),
                List.copyOf(connections));
    }

    /** A caller blocked at the cap; the pool hands it a connection directly, in arrival order. */
    static final class Waiter {

        /** Signalled under the pool lock when {@link #lease} is set, or the wait should end. */
        final Condition granted;
        final long sinceNanos = System.nanoTime();
        /** The connection state (Apache's user token) the caller asked for; {@code null} for none. */
        final Object userState;
        /** The caller needs a connection that has carried nothing yet (the retry after a stale one, rule 10). */
        final boolean fresh;
        /** The connection granted to it. Guarded by the pool lock. */
        Lease lease;

        Waiter(Condition granted, Object userState, boolean fresh) {
            this.granted = granted;
            this.userState = userState;
            this.fresh = fresh;
        }
    }
}
