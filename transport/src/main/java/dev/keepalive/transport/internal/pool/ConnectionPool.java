package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.AcquireOutcome;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.PoolExhaustedException;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.internal.pool.RoutePool.Waiter;
import dev.keepalive.transport.RouteSnapshot;
import dev.keepalive.transport.TransportListener;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;

/**
 * The keep-alive pool with Go's {@code net/http.Transport} rules: idle connections per route kept LIFO
 * and capped, a global idle cap that closes the least recently used idle connection of any route, an
 * optional total cap per route with FIFO waiters, idle and lifetime expiry.
 *
 * <p>One {@link ReentrantLock} guards all bookkeeping; it is never held across socket I/O: connections to
 * close are collected under the lock and closed after it is released, and staleness checks run unlocked.
 */
public final class ConnectionPool implements AutoCloseable {

    private final KeepAliveSettings settings;
    private final WireFactory wireFactory;
    private final ExhaustionDiagnostic exhaustionDiagnostic;
    /** Copy-on-write: read without the lock, and called only with the lock released. */
    private final List<TransportListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Guards every field below down to {@link #closed}, each {@link RoutePool}'s fields and each
     * {@link PooledConnection}'s pool fields. Never held across socket I/O, a listener or the diagnostic.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled, once the pool is closed, whenever a connection closes: the shutdown grace waits on it. */
    private final Condition drained = this.lock.newCondition();
    private final Map<Route, RoutePool> routes = new HashMap<>();
    /** Idle connections of every route, least recently used first (Go's idleLRU). */
    private final LinkedHashSet<PooledConnection> idleLru = new LinkedHashSet<>();
    private long nextId = 1;
    /** Running totals across routes, so that {@link #totals()} reads them without walking the routes. */
    private int liveCount;
    private long openedCount;
    /** Idle connections out of {@link #idleLru} for a moment while the housekeeper checks them: still idle. */
    private int watchingCount;
    /** Every caller waiting at a cap, across routes, in arrival order: the first has waited longest. */
    private final LinkedHashSet<Waiter> waitingOrder = new LinkedHashSet<>();
    /** What routes dropped for want of use had counted, so that the totals never go down. */
    private long retiredOpened;
    private long retiredReused;
    private final long[] retiredClosedBy = new long[CloseReason.values().length];
    private long lastAcquireTimeoutMillis;
    private boolean closed;

    // Settings, fixed at construction: read without the lock.
    private final long idleTimeoutNanos;
    private final long lifetimeNanos;
    /** Idle this long, a connection is checked (IdleCheck) before reuse and by the housekeeper's sweep. */
    private final long checkAfterNanos;
    private final long acquireTimeoutNanos;
    private final long shutdownGraceNanos;

    /** Makes the unconnected Apache connection for a new pool entry. */
    public interface WireFactory {
        ManagedHttpClientConnection create() throws IOException;
    }

    public ConnectionPool(KeepAliveSettings settings, WireFactory wireFactory,
            ExhaustionDiagnostic exhaustionDiagnostic) {
        this.settings = settings;
        this.wireFactory = wireFactory;
        this.exhaustionDiagnostic = exhaustionDiagnostic;
        this.idleTimeoutNanos = positiveOrMax(settings.pool().idleConnTimeout().toNanos());
        this.lifetimeNanos = positiveOrMax(settings.pool().maxConnLifetime().toNanos());
        this.checkAfterNanos = settings.pool().validateAfterInactivity().toNanos();
        this.acquireTimeoutNanos = settings.pool().acquireTimeout().toNanos();
        this.shutdownGraceNanos = settings.timeouts().shutdownGrace().toNanos();
    }

    public void addListener(TransportListener listener) {
        this.listeners.add(listener);
    }

    /**
     * Hands out a connection for {@code route}: the most recently used idle one, else a new (unconnected)
     * one, else waits at the cap. {@code forceNew} (the retry after a stale connection, design §3 rule 10)
     * always gets a new connection: it skips idle connections, at the cap it closes the least recently used
     * idle one of the route to make room, and when it has to wait, a used connection given back to it is
     * closed and a new one takes its slot. Each of those closes counts as {@code max-idle}.
     */
    public Lease acquire(Route route, boolean forceNew) throws IOException {
        return acquire(route, forceNew, this.acquireTimeoutNanos, null, null);
    }

    /**
     * As {@link #acquire(Route, boolean)}, waiting at most {@code timeoutNanos} at the cap (0: not at all)
     * instead of {@code acquire-timeout}, for a caller with connection state {@code userState} (Apache's user
     * token, {@code null} for none). An idle connection with that state is handed out first, else one with
     * none; at the cap an idle connection of another state is closed to make room. A wait ended by
     * {@code cancellation} throws {@link CancellationException}.
     */
    public Lease acquire(Route route, boolean forceNew, long timeoutNanos, Cancellation cancellation, Object userState)
            throws IOException {
        long start = System.nanoTime();
        // Begun here so that the JFR event's duration is the acquire; begin and finish are no-ops without a
        // recording, and the event never leaves this method, so the JIT need not even allocate it.
        ConnectionAcquireEvent event = new ConnectionAcquireEvent();
        event.begin();
        while (true) {
            Lease lease;
            try {
                lease = acquireOnce(route, forceNew, start, timeoutNanos, cancellation, userState);
            }
            catch (Exhausted ex) {
                throw exhausted(ex, start, event);
            }
            if (lease.needsCheck) {
                // Idle for a while: check it outside the lock (taken out of the idle list, no other thread can
                // hand it out meanwhile).
                IdleCheck.Result check = lease.connection.checkIdle();
                if (!check.reusable()) {
                    releaseUnused(lease, closeReason(lease.connection, check));
                    continue;
                }
            }
            long nanos = System.nanoTime() - start;
            // The pool's own route, whose name is built once, not the caller's equal one made for this request.
            Route pooled = lease.connection.route;
            notifyAcquired(pooled, lease.outcome(), nanos);
            event.finish(pooled, lease.outcome(), nanos);
            return lease;
        }
    }

    /**
     * Gives back a lease whose connection failed its idle check before it carried anything: the use counted
     * when it was handed out is taken back, so {@code requests} and {@code reused} count only exchanges.
     */
    private void releaseUnused(Lease lease, CloseReason reason) {
        if (!lease.claimReturn()) {
            return;
        }
        List<PooledConnection> toClose = new ArrayList<>(1);
        this.lock.lock();
        try {
            PooledConnection conn = lease.connection;
            if (conn.lease == lease && conn.requests-- > 1) {
                conn.routePool.uncountReuse();
            }
            if (reason == CloseReason.SERVER_CLOSE) {
                conn.routePool.serverClosedAfter(lease.idleNanos, System.nanoTime());
            }
            releaseLocked(lease, false, 0, reason, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
    }

    /**
     * Hands {@code conn} out under a new lease and counts its use (taken back by {@link #releaseUnused} if it
     * then fails its idle check), so that the hot path takes the lock once.
     */
    private Lease leaseLocked(PooledConnection conn, AcquireOutcome outcome, boolean nearCap, long now) {
        long idleNanos = outcome == AcquireOutcome.IDLE ? now - conn.idleSinceNanos : 0;
        boolean check = outcome == AcquireOutcome.IDLE && idleNanos >= this.checkAfterNanos;
        boolean reused = conn.requests++ > 0;
        if (reused) {
            conn.routePool.countReuse();
        }
        Lease lease = new Lease(conn, outcome, reused, nearCap, check, idleNanos);
        conn.lease = lease;
        return lease;
    }

    private Lease acquireOnce(Route route, boolean forceNew, long start, long timeoutNanos,
            Cancellation cancellation, Object userState) throws IOException, Exhausted {
        List<PooledConnection> toClose = new ArrayList<>(0);
        this.lock.lock();
        try {
            ensureOpen();
            RoutePool pool = routePoolLocked(route);
            long now = System.nanoTime();
            PooledConnection conn = forceNew ? null : takeIdleLocked(pool, now, toClose, userState);
            if (conn != null) {
                return leaseLocked(conn, AcquireOutcome.IDLE, pool.nearCap(), now);
            }
            PooledConnection lru;
            if (!pool.hasRoom() && (lru = pool.leastRecentlyUsedIdle()) != null) {
                // The retry after a stale connection wants a fresh one, or the idle ones belong to another
                // connection state: make room by closing the least recently used.
                toClose.add(evictLocked(lru, CloseReason.MAX_IDLE));
            }
            if (pool.hasRoom()) {
                PooledConnection created = newConnectionLocked(pool);
                return leaseLocked(created, AcquireOutcome.NEW, pool.nearCap(), now);
            }
            return awaitLocked(pool, start, timeoutNanos, cancellation, userState, forceNew, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
    }

    private Lease awaitLocked(RoutePool pool, long start, long timeoutNanos, Cancellation cancellation,
            Object userState, boolean fresh, List<PooledConnection> toClose) throws IOException, Exhausted {
        Waiter waiter = new Waiter(this.lock.newCondition(), userState, fresh);
        if (cancellation != null) {
            cancellation.waiter = waiter;
        }
        pool.addWaiter(waiter);
        this.waitingOrder.add(waiter);
        long remaining = timeoutNanos - (System.nanoTime() - start);
        try {
            while (waiter.lease == null) {
                if (this.closed) {
                    // Shutdown is not starvation: no timeout is counted, so health does not turn DOWN.
                    pool.removeWaiter(waiter);
                    throw closedError("while waiting for a connection to " + pool.route().name());
                }
                if (cancellation != null && cancellation.cancelled) {
                    pool.removeWaiter(waiter);
                    throw new CancellationException("The wait for a connection to " + pool.route().name()
                            + " was cancelled");
                }
                if (remaining <= 0) {
                    pool.removeWaiter(waiter);
                    this.waitingOrder.remove(waiter);
                    throw timedOutLocked(pool);
                }
                remaining = waiter.granted.awaitNanos(remaining);
            }
            return waiter.lease;
        }
        catch (InterruptedException ex) {
            pool.removeWaiter(waiter);
            if (waiter.lease != null && waiter.lease.claimReturn()) {
                // Granted just as we were interrupted: give it to the next caller.
                releaseLocked(waiter.lease, true, 0, CloseReason.SHUTDOWN, toClose);
            }
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for a connection to " + pool.route().name());
        }
        finally {
            this.waitingOrder.remove(waiter);
        }
    }

    /**
     * A caller's wait at the cap of {@code pool} ran out: records the time of the timeout and what the cap
     * looked like, under the lock. The exception is made by {@link #exhausted} once the lock is released,
     * because it calls the listeners and the body tracker.
     */
    private Exhausted timedOutLocked(RoutePool pool) {
        // Rule 22: a caller failed by shutdown is no pool timeout (no DOWN health, no timeout metric or alert).
        boolean shutdown = this.closed;
        if (!shutdown) {
            this.lastAcquireTimeoutMillis = System.currentTimeMillis();
        }
        return new Exhausted(pool.route(), pool.maxConns(), pool.active(), pool.idleCount(), pool.waiting(),
                shutdown);
    }

    /** The exception for a timed-out wait, with the diagnostic; never called with the lock held. */
    private PoolExhaustedException exhausted(Exhausted at, long start, ConnectionAcquireEvent event) {
        long waited = System.nanoTime() - start;
        String route = at.route.name();
        String counts = "timed out after " + TimeUnit.NANOSECONDS.toMillis(waited)
                + " ms waiting for a connection to " + route + ": max-conns-per-host is " + at.maxConns + " ("
                + at.active + " active, " + at.idle + " idle, " + at.waiting + " waiting).";
        if (!at.shutdown) {
            notifyAcquired(at.route, AcquireOutcome.TIMEOUT, waited);
            PoolExhaustedEvent.commit(route, at.maxConns, at.active, at.idle, at.waiting, waited);
            event.finish(at.route, AcquireOutcome.TIMEOUT, waited);
        }
        return new PoolExhaustedException(route, counts + this.exhaustionDiagnostic.describe(route));
    }

    /**
     * A wait at the cap that timed out, and the cap as it was then: thrown out of the locked part of
     * {@link #acquire} so that the exception is built after the lock is released. Never leaves this class.
     */
    private static final class Exhausted extends Exception {

        private static final long serialVersionUID = 1L;

        final transient Route route;
        final int maxConns;
        final int active;
        final int idle;
        final int waiting;
        final boolean shutdown;

        Exhausted(Route route, int maxConns, int active, int idle, int waiting, boolean shutdown) {
            super(null, null, false, false); // control flow, not an error: no stack trace
            this.route = route;
            this.maxConns = maxConns;
            this.active = active;
            this.idle = idle;
            this.waiting = waiting;
            this.shutdown = shutdown;
        }
    }

    /**
     * The route's pick among its idle connections ({@link RoutePool#takeIdle}), taken out of the global LRU
     * too; the expired ones it met are closed.
     */
    private PooledConnection takeIdleLocked(RoutePool pool, long now, List<PooledConnection> toClose,
            Object userState) {
        int from = toClose.size();
        PooledConnection chosen = pool.takeIdle(userState, now, this.lifetimeNanos, toClose);
        for (int i = from; i < toClose.size(); i++) {
            PooledConnection expired = toClose.get(i);
            this.idleLru.remove(expired);
            closeLocked(expired, expired.expiry(now, this.lifetimeNanos));
        }
        if (chosen != null) {
            this.idleLru.remove(chosen);
        }
        return chosen;
    }

    /**
     * How a failed check is counted: the server's FIN or reset, or on TLS a record (a close alert) is the
     * server closing; bytes on an idle plain connection break the protocol.
     */
    private static CloseReason closeReason(PooledConnection conn, IdleCheck.Result check) {
        return check == IdleCheck.Result.UNEXPECTED_BYTES && !conn.route.secure() ? CloseReason.ERROR
                : CloseReason.SERVER_CLOSE;
    }

    private PooledConnection newConnectionLocked(RoutePool pool) throws IOException {
        PooledConnection conn = new PooledConnection(this.nextId++, pool, this.wireFactory.create(),
                System.nanoTime());
        pool.added(conn);
        this.liveCount++;
        this.openedCount++;
        return conn;
    }

    /**
     * Gives a leased connection back after its exchange, once: only the first call for a lease does
     * anything, later ones (another thread, another path) return false. A reusable connection goes to the
     * first waiter, else to the idle list (or is closed over an idle cap); any other is closed and counted
     * under {@code reason}.
     *
     * @param keepAliveMillis the server's {@code Keep-Alive: timeout} in millis, 0 when it sent none
     * @return whether this call released it
     */
    public boolean release(Lease lease, boolean reusable, long keepAliveMillis, CloseReason reason) {
        if (!lease.claimReturn()) {
            return false;
        }
        List<PooledConnection> toClose = new ArrayList<>(0);
        this.lock.lock();
        try {
            releaseLocked(lease, reusable, keepAliveMillis, reason, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
        return true;
    }

    /**
     * Gives back a reused connection whose request failed before any response byte because the server had
     * closed it: the close crossed the request on the wire (rule 10). Counted {@code server-close}; its idle age
     * is what the route learns of the server's timeout (rule 16). Once, as {@link #release}.
     */
    public boolean releaseStale(Lease lease) {
        if (!lease.claimReturn()) {
            return false;
        }
        List<PooledConnection> toClose = new ArrayList<>(1);
        this.lock.lock();
        try {
            if (lease.connection.lease == lease) {
                lease.connection.routePool.serverClosedAfter(lease.idleNanos, System.nanoTime());
            }
            releaseLocked(lease, false, 0, CloseReason.SERVER_CLOSE, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
        return true;
    }

    private void releaseLocked(Lease lease, boolean reusable, long keepAliveMillis, CloseReason reason,
            List<PooledConnection> toClose) {
        PooledConnection conn = lease.connection;
        if (conn.lease != lease) {
            return; // not leased under this lease any more: taken back by shutdown
        }
        conn.lease = null;
        RoutePool pool = routePoolOf(conn);
        long now = System.nanoTime();
        if (!reusable || !conn.isOpen()) {
            toClose.add(closeLocked(conn, reason));
            return;
        }
        if (lease.idleNanos > 0) {
            pool.reusedAfter(lease.idleNanos); // the exchange went through: the server kept it
        }
        if (this.closed) {
            toClose.add(closeLocked(conn, CloseReason.SHUTDOWN));
        }
        else if (now - conn.createdNanos >= this.lifetimeNanos) {
            toClose.add(closeLocked(conn, CloseReason.LIFETIME));
        }
        else if (pool.hasWaiters()) {
            giveToWaiterLocked(pool, conn, toClose);
        }
        else if (!pool.offerIdle(conn, now, keepAliveMillis, this.idleTimeoutNanos)) {
            toClose.add(closeLocked(conn, CloseReason.MAX_IDLE));
        }
        else {
            this.idleLru.add(conn);
            int maxIdle = this.settings.pool().maxIdleConns();
            if (maxIdle > 0 && this.idleLru.size() > maxIdle) {
                toClose.add(evictLocked(this.idleLru.iterator().next(), CloseReason.MAX_IDLE));
            }
        }
    }

    /** Hands a reusable connection to the route's first waiter, which is there. */
    private void giveToWaiterLocked(RoutePool pool, PooledConnection conn, List<PooledConnection> toClose) {
        if (pool.firstWaiterTakes(conn)) {
            conn.state = PooledConnection.State.ACTIVE;
            grantLocked(pool, conn);
        }
        else {
            // The waiter gets a new connection in its slot (closeLocked grants it).
            toClose.add(closeLocked(conn, CloseReason.MAX_IDLE));
        }
    }

    private void grantLocked(RoutePool pool, PooledConnection conn) {
        Waiter waiter = pool.nextWaiter();
        this.waitingOrder.remove(waiter);
        waiter.lease = leaseLocked(conn, AcquireOutcome.WAITED, true, System.nanoTime());
        waiter.granted.signal();
    }

    private PooledConnection evictLocked(PooledConnection idleConn, CloseReason reason) {
        this.idleLru.remove(idleConn);
        return closeLocked(idleConn, reason);
    }

    /**
     * Marks a live connection closed, takes it out of every pool structure, counts it, and gives its slot
     * to the first waiter. Returns it so that the caller closes its socket after releasing the lock.
     */
    private PooledConnection closeLocked(PooledConnection conn, CloseReason reason) {
        RoutePool pool = routePoolOf(conn);
        if (conn.state == PooledConnection.State.IDLE) {
            this.idleLru.remove(conn);
        }
        if (pool.remove(conn, reason, System.nanoTime())) {
            this.liveCount--;
        }
        conn.state = PooledConnection.State.CLOSED;
        conn.lease = null;
        conn.closeReason = reason;
        if (this.closed) {
            this.drained.signalAll();
        }
        if (pool.hasWaiters() && pool.hasRoom() && !this.closed) {
            try {
                grantLocked(pool, newConnectionLocked(pool));
            }
            catch (IOException | RuntimeException ex) {
                // Could not even create the object; the waiter times out with the usual diagnostic.
            }
        }
        return conn;
    }

    /** Ends the wait of the caller that {@code cancellation} belongs to, now or as soon as it waits. */
    public void cancel(Cancellation cancellation) {
        this.lock.lock();
        try {
            cancellation.cancelled = true;
            if (cancellation.waiter != null) {
                cancellation.waiter.granted.signal();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The connection to connect in the slot of {@code conn}, a leased one: {@code conn} itself when it was
     * never connected, else a new one, counted as opened while {@code conn} is counted as closed. Apache's exec
     * chain reconnects an endpoint whose socket it closed (a retry after {@code Connection: close}), and
     * Apache's connection object must never be bound to a second socket: its buffers still hold the old bytes.
     * The slot stays taken, so the cap holds throughout. The old lease ends here; the fresh connection
     * comes under the returned lease, the one to release from now on.
     */
    public Lease reconnect(Lease lease) throws IOException {
        PooledConnection conn = lease.connection;
        List<PooledConnection> toClose = new ArrayList<>(1);
        this.lock.lock();
        try {
            if (conn.lease != lease) {
                throw new IllegalStateException(conn + " is not leased (" + conn.state.key + ")");
            }
            if (conn.state == PooledConnection.State.CONNECTING) {
                return lease;
            }
            ensureOpen();
            if (!lease.claimReturn()) {
                throw new IllegalStateException(conn + " was released");
            }
            RoutePool pool = routePoolOf(conn);
            PooledConnection fresh = newConnectionLocked(pool);
            fresh.requests = 1; // it carries the exchange its predecessor was leased for
            Lease next = new Lease(fresh, lease.outcome, false, lease.nearCap, false, 0);
            fresh.lease = next;
            // The old connection leaves without giving its slot to a waiter: the fresh one keeps it.
            if (pool.remove(conn, CloseReason.SERVER_CLOSE, System.nanoTime())) {
                this.liveCount--;
            }
            conn.lease = null;
            conn.state = PooledConnection.State.CLOSED;
            conn.closeReason = CloseReason.SERVER_CLOSE;
            toClose.add(conn);
            return next;
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
    }

    /** The routes whose first waiter has been waiting at the cap for at least {@code nanos}. */
    public List<String> routesWaitingLongerThan(long nanos) {
        List<String> names = new ArrayList<>(0);
        this.lock.lock();
        try {
            long now = System.nanoTime();
            for (RoutePool pool : this.routes.values()) {
                Waiter first = pool.firstWaiter();
                if (first != null && now - first.sinceNanos >= nanos) {
                    names.add(pool.route().name());
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        return names;
    }

    /** Closes idle connections past their idle deadline or lifetime; returns how many it closed. */
    public int evictExpired() {
        List<PooledConnection> toClose = new ArrayList<>(0);
        List<String> removed = null;
        this.lock.lock();
        try {
            long now = System.nanoTime();
            Iterator<PooledConnection> it = this.idleLru.iterator();
            while (it.hasNext()) {
                PooledConnection conn = it.next();
                CloseReason expired = conn.expiry(now, this.lifetimeNanos);
                if (expired != null) {
                    it.remove();
                    toClose.add(closeLocked(conn, expired));
                }
            }
            removed = dropUnusedRoutesLocked(now);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
        if (removed != null) {
            for (String route : removed) {
                for (TransportListener listener : this.listeners) {
                    listener.routeRemoved(route);
                }
            }
        }
        return toClose.size();
    }

    /**
     * The housekeeper's sweep (design §3 rule 16): checks every connection idle for at least
     * {@code validate-after-inactivity} and closes those the server closed, reset or wrote to, so that they
     * leave the pool without a request being written into them. Each is taken out of the idle lists while it
     * is checked (outside the lock), then put back where it was. Returns how many it closed.
     */
    public int checkIdle() {
        List<PooledConnection> checked = new ArrayList<>(0);
        this.lock.lock();
        try {
            long cutoff = System.nanoTime() - this.checkAfterNanos;
            for (RoutePool pool : this.routes.values()) {
                int from = checked.size();
                pool.takeDueForCheck(cutoff, checked);
                for (int i = from; i < checked.size(); i++) {
                    this.idleLru.remove(checked.get(i));
                    this.watchingCount++;
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        if (checked.isEmpty()) {
            return 0;
        }
        IdleCheck.Result[] results = new IdleCheck.Result[checked.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = checked.get(i).checkIdle();
        }
        List<PooledConnection> toClose = new ArrayList<>(0);
        this.lock.lock();
        try {
            putBackLocked(checked, results, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
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
            RoutePool pool = routePoolOf(conn);
            pool.checked();
            this.watchingCount--;
            if (conn.state != PooledConnection.State.IDLE) {
                continue; // closed meanwhile (shutdown), and counted there
            }
            if (this.closed) {
                conn.state = PooledConnection.State.ACTIVE; // closeLocked expects it out of the idle lists
                toClose.add(closeLocked(conn, CloseReason.SHUTDOWN));
            }
            else if (!results[i].reusable()) {
                CloseReason reason = closeReason(conn, results[i]);
                if (reason == CloseReason.SERVER_CLOSE) {
                    long now = System.nanoTime();
                    pool.serverClosedAfter(now - conn.idleSinceNanos, now);
                }
                conn.state = PooledConnection.State.ACTIVE;
                toClose.add(closeLocked(conn, reason));
            }
            else if (pool.hasWaiters()) {
                giveToWaiterLocked(pool, conn, toClose);
            }
            else {
                pool.putBackChecked(conn);
                keep.add(conn);
            }
        }
        if (!keep.isEmpty()) {
            // The global LRU order: the kept ones, oldest first, before every connection idle since.
            keep.sort((a, b) -> Long.compare(a.idleSinceNanos - b.idleSinceNanos, 0));
            List<PooledConnection> newer = new ArrayList<>(this.idleLru);
            this.idleLru.clear();
            this.idleLru.addAll(keep);
            this.idleLru.addAll(newer);
            int maxIdle = this.settings.pool().maxIdleConns();
            while (maxIdle > 0 && this.idleLru.size() > maxIdle) {
                toClose.add(evictLocked(this.idleLru.iterator().next(), CloseReason.MAX_IDLE));
            }
        }
    }

    /**
     * Design §3 rule 23: a route with no connection and no waiter for {@code idle-conn-timeout} is dropped,
     * so that memory does not grow with the hosts called. Its counts move to the pool's totals.
     */
    private List<String> dropUnusedRoutesLocked(long now) {
        List<String> removed = null;
        Iterator<RoutePool> it = this.routes.values().iterator();
        while (it.hasNext()) {
            RoutePool pool = it.next();
            if (pool.unusedFor(this.idleTimeoutNanos, now)) {
                it.remove();
                this.retiredOpened += pool.opened();
                this.retiredReused += pool.reused();
                pool.addClosedBy(this.retiredClosedBy);
                if (removed == null) {
                    removed = new ArrayList<>(1);
                }
                removed.add(pool.route().name());
            }
        }
        return removed;
    }

    /**
     * Shuts the pool down (design §3 rule 22): from now on it refuses new requests, idle connections are
     * closed at once and waiting callers get a "closed" error (never counted as a timeout). Exchanges in
     * flight may finish for up to {@code shutdown-grace}, each closing its connection as it gives it back;
     * then this closes whatever is still leased, under its reader, counted as {@code shutdown}. Blocks for
     * at most the grace; a second call returns at once.
     */
    @Override
    public void close() {
        List<PooledConnection> toClose = new ArrayList<>();
        this.lock.lock();
        try {
            if (this.closed) {
                return;
            }
            this.closed = true;
            for (RoutePool pool : this.routes.values()) {
                for (PooledConnection conn : pool.idleConnections()) {
                    toClose.add(closeLocked(conn, CloseReason.SHUTDOWN));
                }
                pool.wakeAllWaiters();
            }
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
        }
        awaitInFlight();
    }

    private void awaitInFlight() {
        List<PooledConnection> forced = new ArrayList<>();
        boolean interrupted = false;
        this.lock.lock();
        try {
            long remaining = this.shutdownGraceNanos;
            while (remaining > 0 && liveLocked() > 0) {
                try {
                    remaining = this.drained.awaitNanos(remaining);
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                    break;
                }
            }
            for (RoutePool pool : this.routes.values()) {
                for (PooledConnection conn : pool.liveConnections()) {
                    Lease lease = conn.lease;
                    // Take the lease back, unless its holder is giving it back right now (it then closes it).
                    if (lease != null && lease.claimReturn()) {
                        forced.add(closeLocked(conn, CloseReason.SHUTDOWN));
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
        for (RoutePool pool : this.routes.values()) {
            live += pool.liveCount();
        }
        return live;
    }

    public boolean isClosed() {
        this.lock.lock();
        try {
            return this.closed;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The pool's part of {@link dev.keepalive.transport.TransportTotals}, from running counters: constant time,
     * nothing listed.
     */
    public PoolTotals totals() {
        this.lock.lock();
        try {
            int idle = this.idleLru.size() + this.watchingCount;
            long longestWaitNanos = this.waitingOrder.isEmpty() ? 0
                    : System.nanoTime() - this.waitingOrder.iterator().next().sinceNanos;
            return new PoolTotals(this.liveCount - idle, idle, this.waitingOrder.size(), this.openedCount,
                    this.openedCount - this.liveCount, TimeUnit.NANOSECONDS.toMillis(longestWaitNanos),
                    this.lastAcquireTimeoutMillis);
        }
        finally {
            this.lock.unlock();
        }
    }

    public record PoolTotals(int active, int idle, int waiting, long opened, long closed, long longestWaitMillis,
            long lastAcquireTimeoutMillis) {
    }

    public PoolSnapshot snapshot() {
        this.lock.lock();
        try {
            long now = System.nanoTime();
            List<RouteSnapshot> list = new ArrayList<>(this.routes.size());
            int active = 0;
            int idle = 0;
            int waiting = 0;
            long opened = this.retiredOpened;
            long reused = this.retiredReused;
            long[] closedBy = this.retiredClosedBy.clone();
            for (RoutePool pool : this.routes.values()) {
                RouteSnapshot route = pool.snapshot(now);
                list.add(route);
                active += route.active();
                idle += route.idle();
                waiting += route.waiting();
                opened += route.opened();
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
            return new PoolSnapshot(active, idle, waiting, opened, closed, reused,
                    Collections.unmodifiableMap(closedMap), this.lastAcquireTimeoutMillis, List.copyOf(list));
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Marks a leased connection as connected (no longer "connecting"). If shutdown took the lease back while
     * the socket was being opened, the new socket is closed here and the caller gets an error.
     */
    public void connected(Lease lease) throws IOException {
        PooledConnection conn = lease.connection;
        boolean takenBack;
        this.lock.lock();
        try {
            takenBack = conn.lease != lease;
            if (!takenBack && conn.state == PooledConnection.State.CONNECTING) {
                conn.state = PooledConnection.State.ACTIVE;
            }
        }
        finally {
            this.lock.unlock();
        }
        if (takenBack) {
            conn.closeWire(true);
            throw new IOException("The keepalive transport was closed while connecting to " + conn.route.name());
        }
    }

    private RoutePool routePoolLocked(Route route) {
        RoutePool pool = this.routes.get(route);
        if (pool == null) {
            String hostPort = route.hostPort();
            pool = new RoutePool(route, this.settings.pool().maxConnsFor(hostPort), this.settings.pool().maxIdleConnsFor(hostPort));
            this.routes.put(route, pool);
        }
        return pool;
    }

    private RoutePool routePoolOf(PooledConnection conn) {
        return conn.routePool;
    }

    private void ensureOpen() throws IOException {
        if (this.closed) {
            throw closedError("for a new request");
        }
    }

    private static IOException closedError(String when) {
        return new IOException("The keepalive transport was closed (shut down); it hands out no connection " + when);
    }

    private void notifyAcquired(Route route, AcquireOutcome outcome, long nanos) {
        if (!this.listeners.isEmpty()) {
            String name = route.name();
            for (TransportListener listener : this.listeners) {
                listener.connectionAcquired(name, outcome, nanos);
            }
        }
    }

    private static void closeAll(List<PooledConnection> connections) {
        for (PooledConnection conn : connections) {
            conn.closeWire(abortive(conn.closeReason));
        }
    }

    /** Whether a close for {@code reason} resets the socket at once rather than closing it gracefully. */
    private static boolean abortive(CloseReason reason) {
        return reason == CloseReason.ERROR || reason == CloseReason.EARLY_CLOSE || reason == CloseReason.LEAK_RECLAIMED;
    }

    private static long positiveOrMax(long nanos) {
        return nanos > 0 ? nanos : Long.MAX_VALUE;
    }
}
