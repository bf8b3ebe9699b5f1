package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.RequestOptions;
import dev.keepalive.transport.internal.UriRedactor;
import dev.keepalive.transport.internal.body.BodyTracker;
import dev.keepalive.transport.internal.body.Compression;
import dev.keepalive.transport.internal.body.Housekeeper;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.Route;
import dev.keepalive.transport.internal.proxy.ProxySelection;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestWriterFactory;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.springframework.http.HttpHeaders;

/**
 * The request path: picks the route, leases a connection, runs the {@link Exchange}, retries once on a
 * fresh connection when a reused one turned out stale (Go's rule), and follows redirects when asked.
 * Apache HttpCore 5 does the wire protocol; no other Apache exec handler runs.
 */
public final class Engine implements AutoCloseable {

    /** Hops followed before a redirect loop is reported (Go stops after 10). */
    static final int MAX_REDIRECTS = 10;

    /**
     * Most bytes of one response head, status line and header lines together. HttpCore limits a line (64 KiB
     * here) and the number of lines (500), not their sum. Go's client allows 10 MiB, OkHttp 256 KiB; 1 MiB
     * holds any real head (large cookies, CSP) and keeps what a hostile server can make each call hold small.
     */
    public static final int MAX_RESPONSE_HEAD_BYTES = 1024 * 1024;

    public final KeepAliveSettings settings;
    public final ConnectionPool pool;
    public final BodyTracker tracker;
    public final Connector connector;
    private final Housekeeper housekeeper;
    private final ProxySelection proxySelection;
    private final HttpRequestExecutor executor = HttpRequestExecutor.builder().build();

    public Engine(KeepAliveSettings settings, ProxySelection proxySelection) {
        this.settings = settings;
        Http1Config http1 = Http1Config.custom().setMaxLineLength(64 * 1024).setMaxHeaderCount(500).build();
        // HttpCore's strict parser, not HttpClient's lenient default, which skips up to ten garbage lines
        // before a status line and so waits (with no read timeout, forever) on a malformed response: a
        // malformed status line is a protocol error at once, as in Go. Wrapped to limit the whole head and
        // to make response-header-timeout a deadline for it.
        ManagedHttpClientConnectionFactory wires = ManagedHttpClientConnectionFactory.builder()
                .http1Config(http1)
                .responseParserFactory((config) -> new ResponseHeadParser(http1))
                .requestWriterFactory(new DefaultHttpRequestWriterFactory(RequestLineFormatter.INSTANCE))
                .responseOutOfOrderStrategy(EarlyResponse.INSTANCE)
                .build();
        BodyTracker bodies = new BodyTracker(settings);
        this.tracker = bodies;
        this.pool = new ConnectionPool(settings, () -> wires.createConnection(null),
                (route) -> bodies.describeOldest(route, 5));
        this.connector = new Connector(settings);
        this.housekeeper = new Housekeeper(settings, this.pool, this.tracker);
        this.housekeeper.start();
        this.proxySelection = proxySelection;
        proxySelection.logInUse();
    }

    /** Runs a request to its response head; the body, if any, is tracked until read or closed. */
    KeepAliveClientHttpResponse execute(String method, URI uri, HttpHeaders headers, RequestBody body,
            RequestOptions options, Route.TlsProfile tls) throws IOException {
        String currentMethod = method;
        URI current = uri;
        RequestBody currentBody = body;
        HttpHeaders currentHeaders = headers;
        for (int hop = 0;; hop++) {
            KeepAliveClientHttpResponse response = executeWithRetry(currentMethod, current, currentHeaders,
                    currentBody, options, tls);
            Redirect redirect = options.followRedirects()
                    ? Redirect.of(currentMethod, current, currentHeaders, currentBody, response) : null;
            if (redirect == null) {
                return response;
            }
            response.close();
            if (hop == MAX_REDIRECTS) {
                throw new IOException("Stopped after " + MAX_REDIRECTS + " redirects from " + currentMethod + " "
                        + UriRedactor.redact(uri));
            }
            currentMethod = redirect.method();
            current = redirect.uri();
            currentHeaders = redirect.headers();
            currentBody = redirect.body();
        }
    }

    private KeepAliveClientHttpResponse executeWithRetry(String method, URI uri, HttpHeaders headers,
            RequestBody body, RequestOptions options, Route.TlsProfile tls) throws IOException {
        Route route;
        try {
            route = Route.of(uri, tls);
        }
        catch (IllegalArgumentException ex) {
            throw new IOException(ex.getMessage(), ex);
        }
        route = route.via(this.proxySelection.select(route.scheme(), route.host(), route.port()));
        long connectTimeout = millis(options.connectTimeout(), this.settings.timeouts().connect());
        long readTimeout = millis(options.readTimeout(), this.settings.timeouts().read());
        boolean gzip = Compression.asks(this.settings, method, headers);
        for (int attempt = 0;; attempt++) {
            // Built before a connection is leased: if the application's headers make it throw, nothing leaks.
            ClassicHttpRequest request = ProxyForm.apply(toWire(method, uri, route, headers, body, gzip), route);
            Lease lease = this.pool.acquire(route, attempt > 0);
            Exchange exchange = new Exchange(this, method, uri, lease, readTimeout);
            try {
                ClassicHttpResponse response = exchange.send(request, this.executor, connectTimeout);
                return KeepAliveClientHttpResponse.of(exchange, response, gzip);
            }
            catch (IOException | HttpException ex) {
                if (attempt == 0 && exchange.reused() && isStale(ex) && isReplayable(method, headers, body)) {
                    continue; // Go's rule: a reused connection that was closed under us is retried once, fresh
                }
                throw Failures.describe(method + " " + UriRedactor.redact(uri) + " failed on "
                        + exchange.connection() + (exchange.reused() ? " (reused)" : ""), ex);
            }
        }
    }

    /** A failure that means the peer had closed the connection before any response byte arrived. */
    static boolean isStale(Exception ex) {
        if (ex instanceof InterruptedIOException) {
            return false; // timeouts are not staleness
        }
        return ex instanceof NoHttpResponseException || ex instanceof SocketException
                || ex instanceof org.apache.hc.core5.http.ConnectionClosedException;
    }

    /** Go's rule: idempotent methods, or an idempotency key, and a body that can be sent again. */
    private static boolean isReplayable(String method, HttpHeaders headers, RequestBody body) {
        boolean idempotent = switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> headers.containsHeader("Idempotency-Key") || headers.containsHeader("X-Idempotency-Key");
        };
        return idempotent && (body == null || body.repeatable());
    }

    private ClassicHttpRequest toWire(String method, URI uri, Route route, HttpHeaders headers, RequestBody body,
            boolean gzip) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        // The target as it stands (origin form): HttpCore's (method, path) constructor would parse it into a URI
        // and build it again, and take a path starting with "//" for an authority.
        BasicClassicHttpRequest request = new BasicClassicHttpRequest(method, (HttpHost) null, path);
        boolean dropConnection = this.settings.disableKeepAlives();
        // Spring's forEach (and headerSet) build a case-insensitive copy of the names on every call: most
        // requests (a RestClient GET) carry no header of the application's, and skip it.
        if (!headers.isEmpty()) {
            headers.forEach((name, values) -> {
                if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                        || (dropConnection && name.equalsIgnoreCase("Connection"))) {
                    return; // framing is ours: derived from the body below
                }
                for (int i = 0; i < values.size(); i++) {
                    request.addHeader(name, values.get(i));
                }
            });
        }
        // Lower-case names here and below: the case-insensitive lookup then makes no lower-cased copy.
        if (!headers.containsHeader("host")) {
            request.addHeader("Host", route.hostHeader());
        }
        if (this.settings.disableKeepAlives()) {
            request.addHeader("Connection", "close");
        }
        if (gzip) {
            request.addHeader(Compression.ACCEPT_GZIP);
        }
        long declared = declaredLength(method, uri, headers);
        if (body != null) {
            HttpEntity entity = body.toEntity(declared);
            if (entity.getContentLength() >= 0) {
                request.addHeader("Content-Length", Long.toString(entity.getContentLength()));
            }
            else {
                request.addHeader("Transfer-Encoding", "chunked");
            }
            request.setEntity(entity);
        }
        else if (declared == 0 || !isSafe(method)) {
            // RFC 9110 §8.6: a method that defines a body says "none" with Content-Length: 0; servers and
            // proxies answer 411 otherwise. Spring's HttpComponents and JDK factories do the same.
            request.addHeader("Content-Length", "0");
        }
        return request;
    }

    /** GET, HEAD, OPTIONS and TRACE: methods whose request without a body carries no framing. */
    private static boolean isSafe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }

    /**
     * The application's {@code Content-Length}, or -1 when it set none. A value that is no length is the
     * application's mistake, refused before a connection is leased; the value is never quoted.
     */
    private static long declaredLength(String method, URI uri, HttpHeaders headers) {
        String value = headers.getFirst("content-length");
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            if (length >= 0) {
                return length;
            }
        }
        catch (NumberFormatException ex) {
            // reported below, without the value
        }
        throw new IllegalArgumentException(method + " " + UriRedactor.redact(uri)
                + ": the request's Content-Length header is not a non-negative number");
    }

    private static long millis(Duration preferred, Duration fallback) {
        return (preferred != null ? preferred : fallback).toMillis();
    }

    public Housekeeper housekeeper() {
        return this.housekeeper;
    }

    /** Shuts the pool down (within its grace), then stops housekeeping, which reclaims leaks until then. */
    @Override
    public void close() {
        try {
            this.pool.close();
        }
        finally {
            this.housekeeper.close();
        }
    }
}
