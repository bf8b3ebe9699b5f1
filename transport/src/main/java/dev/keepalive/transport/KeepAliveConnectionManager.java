package dev.keepalive.transport;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ExecutionException;

import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.io.LeaseRequest;
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
 * <p>Direct routes only (no proxy tunnelling); the wait at a cap is the transport's
 * {@code acquire-timeout}. Closing this manager does nothing: the transport's owner closes the pool.
 */
public final class KeepAliveConnectionManager implements HttpClientConnectionManager {

    private final Engine engine;

    KeepAliveConnectionManager(Engine engine) {
        this.engine = engine;
    }

    @Override
    public LeaseRequest lease(String id, HttpRoute route, Timeout requestTimeout, Object state) {
        Route key = routeOf(route);
        return new LeaseRequest() {

            @Override
            public ConnectionEndpoint get(Timeout timeout) throws ExecutionException {
                try {
                    return new Endpoint(KeepAliveConnectionManager.this.engine.pool.acquire(key, false).connection());
                }
                catch (IOException ex) {
                    throw new ExecutionException(ex.getMessage(), ex);
                }
            }

            @Override
            public boolean cancel() {
                return false; // the wait is bounded by acquire-timeout
            }
        };
    }

    private static Route routeOf(HttpRoute route) {
        if (route.getProxyHost() != null) {
            throw new UnsupportedOperationException("keepalive does not route through proxies: " + route);
        }
        HttpHost target = route.getTargetHost();
        URI uri = URI.create(target.getSchemeName() + "://" + target.toHostString());
        return Route.of(uri, Route.TlsProfile.of(null, null));
    }

    @Override
    public void release(ConnectionEndpoint endpoint, Object newState, TimeValue validDuration) {
        PooledConnection conn = ((Endpoint) endpoint).connection;
        boolean reusable = validDuration != null && conn.isOpen();
        long keepAliveMillis = (validDuration != null && validDuration.toMilliseconds() > 0)
                ? validDuration.toMilliseconds() : 0;
        this.engine.pool.release(conn, reusable, keepAliveMillis, CloseReason.SERVER_CLOSE);
    }

    @Override
    public void connect(ConnectionEndpoint endpoint, TimeValue connectTimeout, HttpContext context) throws IOException {
        PooledConnection conn = ((Endpoint) endpoint).connection;
        if (conn.isOpen()) {
            return;
        }
        long millis = connectTimeout != null && connectTimeout.toMilliseconds() > 0 ? connectTimeout.toMilliseconds()
                : this.engine.settings.connectTimeout().toMillis();
        this.engine.connector.connect(conn, millis);
        this.engine.pool.connected(conn);
    }

    @Override
    public void upgrade(ConnectionEndpoint endpoint, HttpContext context) {
        throw new UnsupportedOperationException("keepalive does not tunnel through proxies");
    }

    /** Does nothing: the pool belongs to the transport. */
    @Override
    public void close(CloseMode closeMode) {
    }

    /** Does nothing: the pool belongs to the transport. */
    @Override
    public void close() {
    }

    /** One leased pooled connection, as Apache's exec chain sees it. */
    private static final class Endpoint extends ConnectionEndpoint {

        private final PooledConnection connection;

        Endpoint(PooledConnection connection) {
            this.connection = connection;
        }

        @Override
        public ClassicHttpResponse execute(String id, ClassicHttpRequest request, HttpRequestExecutor executor,
                HttpContext context) throws IOException, HttpException {
            return executor.execute(request, this.connection.wire, context);
        }

        /** The form Apache's exec chain calls since 5.4: hand it our connection. */
        @Override
        public ClassicHttpResponse execute(String id, ClassicHttpRequest request, RequestExecutor executor,
                HttpContext context) throws IOException, HttpException {
            return executor.execute(request, this.connection.wire, context);
        }

        @Override
        public boolean isConnected() {
            return this.connection.isOpen();
        }

        @Override
        public void setSocketTimeout(Timeout timeout) {
            this.connection.wire.setSocketTimeout(timeout);
        }

        @Override
        public void close(CloseMode closeMode) {
            this.connection.closeWire(closeMode == CloseMode.IMMEDIATE);
        }

        @Override
        public void close() {
            this.connection.closeWire(false);
        }
    }
}
