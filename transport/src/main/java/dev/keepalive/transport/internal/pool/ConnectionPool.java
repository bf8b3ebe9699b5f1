package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.AcquireOutcome;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.internal.pool.RoutePool.Waiter;
import dev.keepalive.transport.TransportListener;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;

/**
 * The keep-alive pool with Go's {@code net/http.Transport} rules: idle connections per route kept LIFO
 * and capped, a global idle cap that closes the least recently used idle connection of any route, an
 * optional total cap per route with FIFO waiters, idle and lifetime expiry.
 *
 * <p>One {@link ReentrantLock}, {@link #lock}, guards all bookkeeping: this class's state, its parts'
 * ({@link RoutePool} per route, {@link IdleLru}, {@link PoolCounts}, {@link Shutdown}) and each
 * {@link PooledConnection}'s pool fields. It is never held across socket I/O: connections to close are
 * collected under the lock and closed after it is released, and idle checks run unlocked on connections taken
 * out of the idle lists. A {@code *Locked} method expects the lock held and never gives it up, except to wait
 * on one of its conditions.
 *
 * <p>This class is the orchestration: the acquire, release, reconnect and cancel flows and the closes they
 * cause. Each route's policy is {@link RoutePool}'s, the housekeeper's sweep {@link IdleSweep}'s, shutdown
 * {@link Shutdown}'s, the totals and snapshots {@link PoolCounts}'. It stays above 300 lines because the flows
 * share the primitives that keep a connection's state, its route, the LRU and the totals in step
 * ({@link #leaseLocked}, {@link #closeLocked}, {@link #grantLocked}), and splitting them would spread one
 * state machine over several files.
 */
public final class ConnectionPool implements AutoCloseable {

    // Fixed at construction, read without the lock.
    private final WireFactory wireFactory;
    private final KeepAliveSettings.Pool poolSettings;
    private final long idleTimeoutNanos;
    private final long lifetimeNanos;
    /** Idle this long, a connection is checked (IdleCheck) before reuse and by the housekeeper's sweep. */
    private final long checkAfterNanos;
    private final long acquireTimeoutNanos;
    /** Copy-on-write, so read without the lock; called only with the lock released. */
    final PoolListeners listeners = new PoolListeners();
    /** The housekeeper's sweep and the wait at the cap: no state of their own, they take {@link #lock}. */
    private final IdleSweep sweep;
    private final CapWait capWait;

    /**
     * The one lock. It guards the fields below, the state of the parts they hold, each {@link RoutePool}, each
     * {@link RoutePool.Waiter}'s lease, each {@link Cancellation} and each {@link PooledConnection}'s pool fields.
     * Never held across socket I/O, a listener or the diagnostic.
     */
    final ReentrantLock lock = new ReentrantLock();
    /** Each route's pool, created on first use, dropped by {@link IdleSweep} (rule 23). Guarded by {@link #lock}. */
    final Map<Route, RoutePool> routes = new HashMap<>();
    /** Every route's idle connections in one LRU order, and the global idle cap. Its state is guarded by {@link #lock}. */
    final IdleLru idle;
    /** Totals, waiting callers, snapshots. Its state is guarded by {@link #lock}. */
    final PoolCounts counts = new PoolCounts();
    /** The closed flag and the shutdown grace. Its state is guarded by {@link #lock}. */
    final Shutdown shutdown;
    /** The next connection's id. Guarded by {@link #lock}. */
    private long nextId = 1;

    /** Makes the unconnected Apache connection for a new pool entry. */
    public interface WireFactory {
        ManagedHttpClientConnection create() throws IOException;
    }

    public ConnectionPool(KeepAliveSettings settings, WireFactory wireFactory,
            ExhaustionDiagnostic exhaustionDiagnostic) {
        this.wireFactory = wireFactory;
        this.poolSettings = settings.pool();
        this.idleTimeoutNanos = positiveOrMax(this.poolSettings.idleConnTimeout().toNanos());
        this.lifetimeNanos = positiveOrMax(this.poolSettings.maxConnLifetime().toNanos());
        this.checkAfterNanos = this.poolSettings.validateAfterInactivity().toNanos();
        this.acquireTimeoutNanos = this.poolSettings.acquireTimeout().toNanos();
        this.idle = new IdleLru(this.poolSettings.maxIdleConns());
        this.shutdown = new Shutdown(this, this.lock, settings.timeouts().shutdownGrace().toNanos());
        this.capWait = new CapWait(this, exhaustionDiagnostic);
        this.sweep = new IdleSweep(this, this.idleTimeoutNanos, this.lifetimeNanos, this.checkAfterNanos);
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
                throw this.capWait.exhausted(ex, start, event);
            }
            if (lease.needsCheck) {
                // Idle for a while: check it outside the lock (taken out of the idle list, no other thread can
                // hand it out meanwhile).
                IdleCheck.Result check = lease.connection.checkIdle();
                if (!check.reusable()) {
                    releaseUnused(lease, check.closeReason(lease.connection.route));
                    continue;
                }
            }
            long nanos = System.nanoTime() - start;
            // The pool's own route, whose name is built once, not the caller's equal one made for this request.
            Route pooled = lease.connection.route;
            this.listeners.acquired(pooled, lease.outcome(), nanos);
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
            return this.capWait.awaitLocked(pool, start, timeoutNanos, cancellation, userState, forceNew, toClose);
        }
        finally {
            this.lock.unlock();
            closeAll(toClose);
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
            this.idle.remove(expired);
            closeLocked(expired, expired.expiry(now, this.lifetimeNanos));
        }
        if (chosen != null) {
            this.idle.remove(chosen);
        }
        return chosen;
    }

    private PooledConnection newConnectionLocked(RoutePool pool) throws IOException {
        PooledConnection conn = new PooledConnection(this.nextId++, pool, this.wireFactory.create(),
                System.nanoTime());
        pool.added(conn);
        this.counts.opened();
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

    void releaseLocked(Lease lease, boolean reusable, long keepAliveMillis, CloseReason reason,
            List<PooledConnection> toClose) {
        assert this.lock.isHeldByCurrentThread();
        PooledConnection conn = lease.connection;
        if (conn.lease != lease) {
            return; // not leased under this lease any more: taken back by shutdown
        }
        conn.lease = null;
        RoutePool pool = conn.routePool;
        long now = System.nanoTime();
        if (!reusable || !conn.isOpen()) {
            toClose.add(closeLocked(conn, reason));
            return;
        }
        if (lease.idleNanos > 0) {
            pool.reusedAfter(lease.idleNanos); // the exchange went through: the server kept it
        }
        if (this.shutdown.isClosedLocked()) {
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
            this.idle.add(conn);
            PooledConnection over = this.idle.overCap();
            if (over != null) {
                toClose.add(evictLocked(over, CloseReason.MAX_IDLE));
            }
        }
    }

    /** Hands a reusable connection to the route's first waiter, which is there. */
    void giveToWaiterLocked(RoutePool pool, PooledConnection conn, List<PooledConnection> toClose) {
        assert this.lock.isHeldByCurrentThread();
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
        this.counts.waitEnded(waiter);
        waiter.lease = leaseLocked(conn, AcquireOutcome.WAITED, true, System.nanoTime());
        waiter.granted.signal();
    }

    PooledConnection evictLocked(PooledConnection idleConn, CloseReason reason) {
        assert this.lock.isHeldByCurrentThread();
        this.idle.remove(idleConn);
        return closeLocked(idleConn, reason);
    }

    /**
     * Marks a live connection closed, takes it out of every pool structure, counts it, and gives its slot
     * to the first waiter. Returns it so that the caller closes its socket after releasing the lock.
     */
    PooledConnection closeLocked(PooledConnection conn, CloseReason reason) {
        assert this.lock.isHeldByCurrentThread();
        RoutePool pool = conn.routePool;
        if (conn.state == PooledConnection.State.IDLE) {
            this.idle.remove(conn);
        }
        if (pool.remove(conn, reason, System.nanoTime())) {
            this.counts.closed();
        }
        conn.state = PooledConnection.State.CLOSED;
        conn.lease = null;
        conn.closeReason = reason;
        this.shutdown.connectionClosedLocked();
        if (pool.hasWaiters() && pool.hasRoom() && !this.shutdown.isClosedLocked()) {
            try {
                grantLocked(pool, newConnectionLocked(pool));
            }
            catch (IOException | RuntimeException ex) {
                // Could not even create the object; the waiter times out with the usual diagnostic.
            }
        }
        return conn;
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
            RoutePool pool = conn.routePool;
            PooledConnection fresh = newConnectionLocked(pool);
            fresh.requests = 1; // it carries the exchange its predecessor was leased for
            Lease next = new Lease(fresh, lease.outcome, false, lease.nearCap, false, 0);
            fresh.lease = next;
            // The old connection leaves without giving its slot to a waiter: the fresh one keeps it.
            if (pool.remove(conn, CloseReason.SERVER_CLOSE, System.nanoTime())) {
                this.counts.closed();
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

    /** Ends the wait of the caller that {@code cancellation} belongs to, now or as soon as it waits. */
    public void cancel(Cancellation cancellation) {
        this.capWait.cancel(cancellation);
    }

    /** The routes whose first waiter has been waiting at the cap for at least {@code nanos}. */
    public List<String> routesWaitingLongerThan(long nanos) {
        return this.capWait.routesWaitingLongerThan(nanos);
    }

    /** Closes idle connections past their idle deadline or lifetime, and drops unused routes (rule 23); returns how many it closed. */
    public int evictExpired() {
        return this.sweep.evictExpired();
    }

    /** The housekeeper's check of idle connections for the server's close (rule 16); returns how many it closed. */
    public int checkIdle() {
        return this.sweep.checkIdle();
    }

    /**
     * Shuts the pool down (design §3 rule 22); see {@link Shutdown}. Blocks for at most {@code shutdown-grace};
     * a second call returns at once.
     */
    @Override
    public void close() {
        this.shutdown.close();
    }

    public boolean isClosed() {
        this.lock.lock();
        try {
            return this.shutdown.isClosedLocked();
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
            return this.counts.totals(this.idle.count());
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The pool's totals: connections by state, waiting callers, and the last timeout at a cap. */
    public record PoolTotals(int active, int idle, int waiting, long opened, long closed, long longestWaitMillis,
            long lastAcquireTimeoutMillis) {
    }

    /** Every route and connection, copied under the lock: it balances (rule 14). */
    public PoolSnapshot snapshot() {
        this.lock.lock();
        try {
            return this.counts.snapshot(this.routes.values());
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
            pool = new RoutePool(route, this.poolSettings.maxConnsFor(hostPort), this.poolSettings.maxIdleConnsFor(hostPort));
            this.routes.put(route, pool);
        }
        return pool;
    }

    private void ensureOpen() throws IOException {
        if (this.shutdown.isClosedLocked()) {
            throw closedError("for a new request");
        }
    }

    static IOException closedError(String when) {
        return new IOException("The keepalive transport was closed (shut down); it hands out no connection " + when);
    }

    /** Closes the sockets of connections collected under the lock; never with the lock held. */
    static void closeAll(List<PooledConnection> connections) {
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
