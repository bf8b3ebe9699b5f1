package dev.keepalive.transport.internal.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import dev.keepalive.transport.CloseReason;

/**
 * The pool's part of the housekeeper's tick, what happens without a request: idle connections past their
 * deadline or lifetime are closed, routes unused for {@code idle-conn-timeout} are dropped (rule 23), and idle
 * connections are checked for the server's close (rule 16) so that they leave the pool before a request is
 * written into them.
 *
 * <p>Works on the pool's state under its lock ({@link ConnectionPool}), and checks sockets with the lock
 * released, on connections taken out of the idle lists first so that no other thread can hand them out.
 */
final class IdleSweep {

    private final ConnectionPool pool;
    private final long idleTimeoutNanos;
    private final long lifetimeNanos;
    private final long checkAfterNanos;

    IdleSweep(ConnectionPool pool, long idleTimeoutNanos, long lifetimeNanos, long checkAfterNanos) {
        this.pool = pool;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.lifetimeNanos = lifetimeNanos;
        this.checkAfterNanos = checkAfterNanos;
    }

    /** Closes idle connections past their idle deadline or lifetime, and drops unused routes; returns how many it closed. */
    int evictExpired() {
        List<PooledConnection> toClose = new ArrayList<>(0);
        List<String> removed;
        this.pool.lock.lock();
        try {
            long now = System.nanoTime();
            this.pool.idle.takeExpired(now, this.lifetimeNanos, toClose);
            for (PooledConnection conn : toClose) {
                this.pool.closeLocked(conn, conn.expiry(now, this.lifetimeNanos));
            }
            removed = dropUnusedRoutesLocked(now);
        }
        finally {
            this.pool.lock.unlock();
            ConnectionPool.closeAll(toClose);
        }
        if (removed != null) {
            this.pool.listeners.routesRemoved(removed);
        }
        return toClose.size();
    }

    /**
     * Design §3 rule 23: a route with no connection and no waiter for {@code idle-conn-timeout} is dropped,
     * so that memory does not grow with the hosts called. Its counts move to the pool's totals.
     */
    private List<String> dropUnusedRoutesLocked(long now) {
        List<String> removed = null;
        Iterator<RoutePool> it = this.pool.routes.values().iterator();
        while (it.hasNext()) {
            RoutePool route = it.next();
            if (route.unusedFor(this.idleTimeoutNanos, now)) {
                it.remove();
                this.pool.counts.retire(route);
                if (removed == null) {
                    removed = new ArrayList<>(1);
                }
                removed.add(route.route().name());
            }
        }
        return removed;
    }

    /**
     * Checks every connection idle for at least {@code validate-after-inactivity} and closes those the server
     * closed, reset or wrote to. Each is taken out of the idle lists while it is checked (outside the lock), then
     * put back where it was. Returns how many it closed.
     */
    int checkIdle() {
        List<PooledConnection> checked = new ArrayList<>(0);
        this.pool.lock.lock();
        try {
            long cutoff = System.nanoTime() - this.checkAfterNanos;
            for (RoutePool route : this.pool.routes.values()) {
                int from = checked.size();
                route.takeDueForCheck(cutoff, checked);
                for (int i = from; i < checked.size(); i++) {
                    this.pool.idle.watch(checked.get(i));
                }
            }
        }
        finally {
            this.pool.lock.unlock();
        }
        if (checked.isEmpty()) {
            return 0;
        }
        IdleCheck.Result[] results = new IdleCheck.Result[checked.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = checked.get(i).checkIdle();
        }
        List<PooledConnection> toClose = new ArrayList<>(0);
        this.pool.lock.lock();
        try {
            putBackLocked(checked, results, toClose);
        }
        finally {
            this.pool.lock.unlock();
            ConnectionPool.closeAll(toClose);
        }
        return toClose.size();
    }

    /**
     * Returns checked connections to the idle lists in their old places (they are older than any connection
     * that went idle meanwhile), to a waiter if one came, or closes them.
     */
    private void putBackLocked(List<PooledConnection> checked, IdleCheck.Result[] results,
            List<PooledConnection> toClose) {
        List<PooledConnection> keep = new ArrayList<>(checked.size());
        // Taken oldest first from each route's tail: put back newest first at the tail.
        for (int i = checked.size() - 1; i >= 0; i--) {
            PooledConnection conn = checked.get(i);
            RoutePool route = conn.routePool;
            route.checked();
            this.pool.idle.watched();
            if (conn.state != PooledConnection.State.IDLE) {
                continue; // closed meanwhile (shutdown), and counted there
            }
            if (this.pool.shutdown.isClosedLocked()) {
                conn.state = PooledConnection.State.ACTIVE; // closeLocked expects it out of the idle lists
                toClose.add(this.pool.closeLocked(conn, CloseReason.SHUTDOWN));
            }
            else if (!results[i].reusable()) {
                CloseReason reason = results[i].closeReason(conn.route);
                if (reason == CloseReason.SERVER_CLOSE) {
                    long now = System.nanoTime();
                    route.serverClosedAfter(now - conn.idleSinceNanos, now);
                }
                conn.state = PooledConnection.State.ACTIVE;
                toClose.add(this.pool.closeLocked(conn, reason));
            }
            else if (route.hasWaiters()) {
                this.pool.giveToWaiterLocked(route, conn, toClose);
            }
            else {
                route.putBackChecked(conn);
                keep.add(conn);
            }
        }
        if (!keep.isEmpty()) {
            this.pool.idle.putBackOldest(keep);
            PooledConnection over;
            while ((over = this.pool.idle.overCap()) != null) {
                toClose.add(this.pool.evictLocked(over, CloseReason.MAX_IDLE));
            }
        }
    }
}
