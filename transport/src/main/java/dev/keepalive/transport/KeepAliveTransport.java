package dev.keepalive.transport;

import java.util.Objects;

import dev.keepalive.transport.internal.body.BodyTracker;
import dev.keepalive.transport.internal.exchange.Engine;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Route;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * One keep-alive connection pool with Go's {@code net/http.Transport} semantics, and the tracker that
 * follows every response body it hands out. Share one per application, as Go shares its
 * {@code DefaultTransport}: every {@link #requestFactory(RequestOptions) request factory} made from it uses
 * the same pool. Thread-safe. {@link #close()} shuts the pool down gracefully and stops its background thread.
 *
 * <p>{@link #pool()} and {@link #bodies()} return immutable snapshots for monitoring; {@link #totals()} the
 * running totals, cheap enough to poll.
 */
public final class KeepAliveTransport implements AutoCloseable {

    private final Engine engine;

    private KeepAliveTransport(KeepAliveSettings settings) {
        this.engine = new Engine(settings, KeepAliveSettings.resolveProxy(settings.proxy()));
    }

    /** Starts a transport (and its housekeeping thread) with these settings. */
    public static KeepAliveTransport create(KeepAliveSettings settings) {
        return new KeepAliveTransport(Objects.requireNonNull(settings, "settings"));
    }

    /** The settings it was created with. */
    public KeepAliveSettings settings() {
        return this.engine.settings;
    }

    /** A request factory over this pool with the transport's own timeouts, following redirects. */
    public KeepAliveRequestFactory requestFactory() {
        return requestFactory(RequestOptions.defaults());
    }

    /** A light request factory over this pool that applies {@code options} to each request. */
    public KeepAliveRequestFactory requestFactory(RequestOptions options) {
        return new KeepAliveRequestFactory(this, Objects.requireNonNull(options, "options"), false);
    }

    /**
     * This transport's pool as Apache HttpClient 5's connection manager, for a {@code CloseableHttpClient}
     * of your own (see {@link KeepAliveConnectionManager} for what it does and does not do). {@code https}
     * connections trust what the JDK trusts and verify the host name.
     */
    public KeepAliveConnectionManager connectionManager() {
        return new KeepAliveConnectionManager(this.engine, Route.TlsProfile.of(null, null));
    }

    /**
     * As {@link #connectionManager()}, with {@code https} connections made by {@code tls}, as Apache's
     * {@code PoolingHttpClientConnectionManagerBuilder.setTlsSocketStrategy} does (for example
     * {@code ClientTlsStrategyBuilder.create().setSslContext(context).buildClassic()}). Connections made by
     * one strategy are pooled apart from every other.
     */
    public KeepAliveConnectionManager connectionManager(TlsSocketStrategy tls) {
        return new KeepAliveConnectionManager(this.engine, Route.TlsProfile.of(Objects.requireNonNull(tls, "tls")));
    }

    /** An immutable picture of the pool: totals, routes, connections. */
    public PoolSnapshot pool() {
        return this.engine.pool.snapshot();
    }

    /** An immutable picture of the response bodies: outcome counters and the open bodies, oldest first. */
    public BodiesSnapshot bodies() {
        return this.engine.tracker.snapshot();
    }

    /**
     * How many response bodies this transport has opened so far, which is also the highest body id it has
     * handed out ({@link BodySnapshot#id()}): a body opened after this call has a larger id. O(1), for
     * checks that run often, such as a test's leak check.
     */
    public long bodiesOpened() {
        return this.engine.tracker.openedCount();
    }

    /**
     * How many response bodies are open now: unread, or read to EOF and neither closed nor yet found
     * dropped. O(1), unlike {@link #bodies()}, which lists them.
     */
    public int openBodies() {
        return this.engine.tracker.openCount();
    }

    /**
     * The running totals of the pool and the bodies, in constant time: for health checks and gauges polled
     * often, which must not copy every open body (with its stack) the way {@link #bodies()} does.
     */
    public TransportTotals totals() {
        ConnectionPool.PoolTotals pool = this.engine.pool.totals();
        BodyTracker.BodyTotals bodies = this.engine.tracker.totals();
        return new TransportTotals(pool.active(), pool.idle(), pool.waiting(), pool.opened(), pool.closed(),
                pool.longestWaitMillis(), pool.lastAcquireTimeoutMillis(), bodies.open(), bodies.suspects(),
                bodies.opened(), bodies.finished(BodyOutcome.EOF), bodies.finished(BodyOutcome.EARLY_DRAINED),
                bodies.finished(BodyOutcome.EARLY_DISCARDED), bodies.finished(BodyOutcome.EOF_NOT_CLOSED),
                bodies.finished(BodyOutcome.LEAKED), bodies.lastLeakMillis());
    }

    /** Adds a listener for events that snapshots cannot carry (acquire times, leaked bodies). */
    public void addListener(TransportListener listener) {
        Objects.requireNonNull(listener, "listener");
        this.engine.pool.addListener(listener);
        this.engine.tracker.addListener(listener);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return this.engine.pool.isClosed();
    }

    /**
     * Shuts down (design §3 rule 22): new requests and callers waiting for a connection fail at once with
     * an error saying the transport is closed (never counted as a pool timeout); idle connections close at
     * once; exchanges in flight may finish for up to {@link KeepAliveSettings#shutdownGrace()}, then their
     * connections are closed under them. Every connection it closes is counted as {@code shutdown}. Blocks
     * for at most the grace, then stops the housekeeping thread. Idempotent.
     */
    @Override
    public void close() {
        this.engine.close();
    }

    Engine engine() {
        return this.engine;
    }
}
