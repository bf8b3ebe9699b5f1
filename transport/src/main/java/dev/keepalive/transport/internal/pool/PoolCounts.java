package dev.keepalive.transport.internal.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;

/**
 * What the pool reports about itself: the running totals across routes, so that {@link ConnectionPool#totals()}
 * reads them in constant time, the counts of routes dropped for want of use (rule 23), so that no total ever
 * goes down, the callers waiting at a cap in arrival order, and the snapshot of every route. The snapshot and
 * the totals balance (rule 14) because both are read under the one lock that every change is made under.
 *
 * <p>Not thread-safe: guarded by the pool's lock ({@link ConnectionPool}), like every method here.
 */
final class PoolCounts {

    /** Live connections across routes. Guarded by the pool lock, as is every field below. */
    private int live;
    private long opened;
    /** Every caller waiting at a cap, across routes, in arrival order: the first has waited longest. */
    private final LinkedHashSet<RoutePool.Waiter> waiting = new LinkedHashSet<>();
    /** What routes dropped for want of use had counted. */
    private long retiredOpened;
    private long retiredReused;
    private final long[] retiredClosedBy = new long[CloseReason.values().length];
    /** When a caller last timed out at a cap ({@code currentTimeMillis}), 0 if never. */
    private long lastAcquireTimeoutMillis;

    void opened() {
        this.live++;
        this.opened++;
    }

    void closed() {
        this.live--;
    }

    void waitStarted(RoutePool.Waiter waiter) {
        this.waiting.add(waiter);
    }

    /** The wait ended, however: granted, timed out, cancelled, interrupted or shut down. No-op the second time. */
    void waitEnded(RoutePool.Waiter waiter) {
        this.waiting.remove(waiter);
    }

    void acquireTimedOut(long nowMillis) {
        this.lastAcquireTimeoutMillis = nowMillis;
    }

    /** A route is dropped (rule 23): its counts stay in the pool's. */
    void retire(RoutePool pool) {
        this.retiredOpened += pool.opened();
        this.retiredReused += pool.reused();
        pool.addClosedBy(this.retiredClosedBy);
    }

    /** The totals, without walking the routes; {@code idle} counts the idle connections across routes. */
    ConnectionPool.PoolTotals totals(int idle) {
        long longestWaitNanos = this.waiting.isEmpty() ? 0 : System.nanoTime() - this.waiting.iterator().next().sinceNanos;
        return new ConnectionPool.PoolTotals(this.live - idle, idle, this.waiting.size(), this.opened,
                this.opened - this.live, TimeUnit.NANOSECONDS.toMillis(longestWaitNanos),
                this.lastAcquireTimeoutMillis);
    }

    /** Every route's snapshot, sorted by route, and the sums over them and the dropped routes. */
    PoolSnapshot snapshot(Collection<RoutePool> routes) {
        long now = System.nanoTime();
        List<RouteSnapshot> list = new ArrayList<>(routes.size());
        int active = 0;
        int idle = 0;
        int waiters = 0;
        long openedSum = this.retiredOpened;
        long reused = this.retiredReused;
        long[] closedBy = this.retiredClosedBy.clone();
        for (RoutePool pool : routes) {
            RouteSnapshot route = pool.snapshot(now);
            list.add(route);
            active += route.active();
            idle += route.idle();
            waiters += route.waiting();
            openedSum += route.opened();
            reused += route.reused();
            pool.addClosedBy(closedBy);
        }
        list.sort((a, b) -> a.route().compareTo(b.route()));
        Map<CloseReason, Long> closedMap = new EnumMap<>(CloseReason.class);
        long closed = 0;
        for (CloseReason reason : CloseReason.values()) {
            closedMap.put(reason, closedBy[reason.ordinal()]);
            closed += closedBy[reason.ordinal()];
        }
        return new PoolSnapshot(active, idle, waiters, openedSum, closed, reused,
                Collections.unmodifiableMap(closedMap), this.lastAcquireTimeoutMillis, List.copyOf(list));
    }
}
