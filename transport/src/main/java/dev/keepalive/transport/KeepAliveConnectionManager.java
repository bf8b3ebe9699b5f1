package dev.keepalive.transport;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.keepalive.transport.internal.exchange.Engine;
import dev.keepalive.transport.internal.pool.Cancellation;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.PooledConnection;
import dev.keepalive.transport.internal.pool.Route;
import org.apache.hc.client5.http.EndpointInfo;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.ConnectionShutdownException;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.io.LeaseRequest;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * A transport's pool as Apache HttpClient 5's {@link HttpClientConnectionManager}, for code that builds
 * its own {@code CloseableHttpClient}: the pool rules of the transport (LIFO idle, caps, FIFO waiters,
 * idle and lifetime expiry, staleness checks) apply, and its connections show in {@link
 * KeepAliveTransport#pool()}. Body tracking and leak detection need keepalive's own request path
 * ({@link KeepAliveTransport#requestFactory()}); Apache's exec chain does not offer them.
 *
 * <p>As Apache's {@code PoolingHttpClientConnectionManager}: a lease waits at most the timeout the client
 * gives it (its {@code connectionRequestTimeout}; zero means no wait) and then fails with a
 * {@link TimeoutException} that carries the pool's diagnostic; {@link LeaseRequest#cancel()} ends a pending
 * lease; an endpoint the client closed and connects again gets a new connection in the same slot; release
 * happens once per lease, and keeps the connection only when it is open, consistent and given a keep-alive
 * duration. A connection released with a state (Apache's user token: an NTLM or client-certificate identity)
 * goes only to leases for that state, as in Apache, never to another user's. {@code https} connections are
 * made by the manager's {@link TlsSocketStrategy} ({@link KeepAliveTransport#connectionManager(TlsSocketStrategy)}),
 * else by the JDK's default trust with the host name verified; connections made by different strategies are
 * never shared.
 *
 * <p>Where it differs, on purpose: routes through a proxy or from a chosen local address are refused when
 * leased (the transport does not run Apache's tunnelling steps); a keep-alive duration is capped by the
 * transport's {@code idle-conn-timeout}. Closing the manager only stops it leasing: the pool belongs to the
 * transport, which other clients may share.
 *
 * <p>Why one class of this size: Apache's contract (lease, its pending request, the endpoint, connect,
 * release) is one protocol whose states must agree; its two inner classes are the lease request and the
 * endpoint Apache's exec chain holds, and they share the manager's engine, TLS profile and closed flag.
 */
public final class KeepAliveConnectionManager implements HttpClientConnectionManager {

    private final Engine engine;

    private final Route.TlsProfile tls;

    private final AtomicBoolean closed = new AtomicBoolean();

    KeepAliveConnectionManager(Engine engine, Route.TlsProfile tls) {
        this.engine = engine;
        this.tls = tls;
    }

    @Override
    public LeaseRequest lease(String id, HttpRoute route, Timeout requestTimeout, Object state) {
        if (this.closed.get()) {
            throw new IllegalStateException("This keepalive connection manager is closed");
        }
        return new PendingLease(routeOf(route), requestTimeout, state);
    }

    private Route routeOf(HttpRoute route) {
        if (route.getProxyHost() != null) {
            throw new UnsupportedOperationException("keepalive's connection manager does not route through a proxy ("
                    + route.getProxyHost().toURI() + " for " + route.getTargetHost().toURI()
                    + "); use Apache's PoolingHttpClientConnectionManager for proxied routes");
        }
        if (route.getLocalAddress() != null) {
            throw new UnsupportedOperationException("keepalive's connection manager does not bind a local address ("
                    + route.getLocalAddress().getHostAddress() + " for " + route.getTargetHost().toURI() + ")");
        }
        HttpHost target = route.getTargetHost();
        String scheme = target.getSchemeName().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw new IllegalArgumentException("Unsupported scheme '" + scheme + "' in route " + route
                    + "; keepalive speaks http and https");
        }
        String host = target.getHostName();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = target.getPort() > 0 ? target.getPort() : (https ? 443 : 80);
        return new Route(scheme, host.toLowerCase(Locale.ROOT), port, https ? this.tls : null);
    }

    @Override
    public void release(ConnectionEndpoint endpoint, Object newState, TimeValue validDuration) {
        Lease lease = endpointOf(endpoint).detach();
        if (lease == null) {
            return; // released before: once per lease
        }
        PooledConnection conn = lease.connection();
        if (conn.localPort() < 0) {
            this.engine.pool.release(lease, false, 0, CloseReason.ERROR); // never connected
            return;
        }
        boolean reusable = validDuration != null && conn.isOpen() && conn.wire.isConsistent();
        if (reusable) {
            conn.userState = newState; // only a lease for this state (or, if none, for none) gets it again
        }
        long keepAliveMillis = (validDuration != null && validDuration.toMilliseconds() > 0)
                ? validDuration.toMilliseconds() : 0;
        this.engine.pool.release(lease, reusable, keepAliveMillis, CloseReason.SERVER_CLOSE);
    }

    @Override
    public void connect(ConnectionEndpoint endpoint, TimeValue connectTimeout, HttpContext context) throws IOException {
        Endpoint ep = endpointOf(endpoint);
        Lease lease = ep.attached();
        if (lease.connection().isOpen()) {
            return;
        }
        Lease target = this.engine.pool.reconnect(lease);
        if (target != lease && !ep.replace(lease, target)) {
            // Released by another thread meanwhile: the new slot goes back unused.
            this.engine.pool.release(target, false, 0, CloseReason.ERROR);
            throw new ConnectionShutdownException();
        }
        long millis = connectTimeout != null && connectTimeout.toMilliseconds() > 0 ? connectTimeout.toMilliseconds()
                : this.engine.settings.timeouts().connect().toMillis();
        this.engine.connector.connect(target.connection(), millis, context);
        this.engine.pool.connected(target);
        target.connection().setSocketTimeout(this.engine.settings.timeouts().read().toMillis());
    }

    /** Not supported: it is only reached on routes through a proxy, which {@link #lease} refuses. */
    @Override
    public void upgrade(ConnectionEndpoint endpoint, HttpContext context) {
        throw new UnsupportedOperationException("keepalive's connection manager does not tunnel through proxies");
    }

    /** Stops this manager leasing; the pool and its connections belong to the transport. */
    @Override
    public void close(CloseMode closeMode) {
        this.closed.set(true);
    }

    /** Stops this manager leasing; the pool and its connections belong to the transport. */
    @Override
    public void close() {
        this.closed.set(true);
    }

    private static Endpoint endpointOf(ConnectionEndpoint endpoint) {
        if (endpoint instanceof Endpoint ours) {
            return ours;
        }
        throw new IllegalArgumentException("Not an endpoint of keepalive's connection manager: " + endpoint);
    }

    /**
     * One lease: pending until it got a connection or was cancelled, whichever comes first; decided by one
     * compare-and-set on {@link #outcome}, which then holds the endpoint or {@link #CANCELLED}.
     */
    private final class PendingLease implements LeaseRequest {

        private static final Object PENDING = new Object();

        private static final Object CANCELLED = new Object();

        private final Route route;

        private final Timeout requestTimeout;

        private final Object userState;

        private final AtomicReference<Object> outcome = new AtomicReference<>(PENDING);

        private final Cancellation cancellation = new Cancellation();

        PendingLease(Route route, Timeout requestTimeout, Object userState) {
            this.route = route;
            this.requestTimeout = requestTimeout;
            this.userState = userState;
        }

        @Override
        public ConnectionEndpoint get(Timeout timeout) throws ExecutionException, TimeoutException {
            if (timeout == null) {
                throw new IllegalArgumentException("The lease timeout must not be null");
            }
            Object decided = this.outcome.get();
            if (decided instanceof Endpoint done) {
                return done;
            }
            if (decided == CANCELLED) {
                throw cancelled();
            }
            ConnectionPool pool = KeepAliveConnectionManager.this.engine.pool;
            Lease lease;
            try {
                lease = pool.acquire(this.route, false, waitNanos(timeout), this.cancellation, this.userState);
            }
            catch (CancellationException ex) {
                throw cancelled();
            }
            catch (PoolExhaustedException ex) {
                if (pool.isClosed()) {
                    throw new ExecutionException(ex.getMessage(), ex);
                }
                TimeoutException timedOut = new TimeoutException(ex.getMessage());
                timedOut.initCause(ex);
                throw timedOut;
            }
            catch (IOException | RuntimeException ex) {
                throw new ExecutionException(ex.getMessage(), ex);
            }
            Endpoint created = new Endpoint(lease);
            if (this.outcome.compareAndSet(PENDING, created)) {
                return created;
            }
            // Cancelled while the connection was on its way, or another get() won: it goes back untouched.
            pool.release(lease, lease.connection().isOpen(), 0, CloseReason.ERROR);
            if (this.outcome.get() instanceof Endpoint winner) {
                return winner;
            }
            throw cancelled();
        }

        /** The shorter of the lease's and this call's timeouts; zero waits not at all, as in Apache. */
        private long waitNanos(Timeout timeout) {
            long nanos = timeout.toNanoseconds();
            if (this.requestTimeout != null && this.requestTimeout.toNanoseconds() > 0) {
                nanos = Math.min(nanos, this.requestTimeout.toNanoseconds());
            }
            return Math.max(nanos, 0);
        }

        @Override
        public boolean cancel() {
            if (!this.outcome.compareAndSet(PENDING, CANCELLED)) {
                return false;
            }
            KeepAliveConnectionManager.this.engine.pool.cancel(this.cancellation);
            return true;
        }

        private ExecutionException cancelled() {
            return new ExecutionException(new CancellationException(
                    "The lease of a connection to " + this.route.name() + " was cancelled"));
        }
    }

    /**
     * One leased connection as Apache's exec chain sees it. The connection it holds changes only when the
     * client reconnects it ({@link #connect}), and it lets go of it once, at release.
     */
    private static final class Endpoint extends ConnectionEndpoint {

        private final AtomicReference<Lease> lease;

        Endpoint(Lease lease) {
            this.lease = new AtomicReference<>(lease);
        }

        /** The lease, or {@code null} when it was released before; after this, the endpoint is dead. */
        Lease detach() {
            return this.lease.getAndSet(null);
        }

        /** The lease it holds; an endpoint released before fails as Apache's does. */
        Lease attached() {
            Lease held = this.lease.get();
            if (held == null) {
                throw new ConnectionShutdownException();
            }
            return held;
        }

        boolean replace(Lease spent, Lease fresh) {
            return this.lease.compareAndSet(spent, fresh);
        }

        /** The connection it holds, or {@code null} once released. */
        private PooledConnection current() {
            Lease held = this.lease.get();
            return held != null ? held.connection() : null;
        }

        private PooledConnection connected() {
            PooledConnection conn = attached().connection();
            if (!conn.isOpen()) {
                throw new IllegalStateException("Endpoint is not connected: " + conn);
            }
            return conn;
        }

        @Override
        public ClassicHttpResponse execute(String id, ClassicHttpRequest request, HttpRequestExecutor executor,
                HttpContext context) throws IOException, HttpException {
            return executor.execute(request, connected().wire, context);
        }

        /** The form Apache's exec chain calls since 5.4: hand it our connection. */
        @Override
        public ClassicHttpResponse execute(String id, ClassicHttpRequest request, RequestExecutor executor,
                HttpContext context) throws IOException, HttpException {
            return executor.execute(request, connected().wire, context);
        }

        @Override
        public boolean isConnected() {
            PooledConnection conn = current();
            return conn != null && conn.isOpen();
        }

        @Override
        public void setSocketTimeout(Timeout timeout) {
            connected().wire.setSocketTimeout(timeout);
        }

        /** What the exec chain puts in the context: protocol and TLS session (Apache's user token reads it). */
        @Override
        public EndpointInfo getInfo() {
            PooledConnection conn = current();
            if (conn == null || !conn.isOpen()) {
                return null;
            }
            return new EndpointInfo(conn.wire.getProtocolVersion(), conn.wire.getSSLSession());
        }

        /** Closes the socket and keeps the lease: a later connect gets a new connection in this slot. */
        @Override
        public void close(CloseMode closeMode) {
            PooledConnection conn = current();
            if (conn != null) {
                conn.closeWire(closeMode == CloseMode.IMMEDIATE);
            }
        }

        @Override
        public void close() {
            close(CloseMode.GRACEFUL);
        }

        @Override
        public String toString() {
            PooledConnection conn = current();
            return "endpoint of " + (conn != null ? conn : "a released lease");
        }
    }
}
