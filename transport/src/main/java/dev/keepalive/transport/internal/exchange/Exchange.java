package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.BodyOutcome;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.internal.UriRedactor;
import dev.keepalive.transport.internal.body.BodyEnd;
import dev.keepalive.transport.internal.body.OpenBody;
import dev.keepalive.transport.internal.body.TrackedBody;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.PooledConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.protocol.HttpCoreContext;

/**
 * One request and its response on one pooled connection, and the end of its body: EOF gives the
 * connection back, an early close drains within the budget or closes it, a failure closes it.
 *
 * <p>Why one class of this size: sending the request and every way its body ends decide together whether the
 * connection goes back (what was sent, what the server said, how far the body was read), and each end path
 * must win the body's phase change exactly once; split, the reuse decision would be made in two places.
 */
final class Exchange implements BodyEnd {

    private final Engine engine;
    private final String method;
    private final URI uri;
    private final Lease lease;
    private final PooledConnection connection;
    private final long readTimeoutMillis;
    private boolean keepAlive;
    private long keepAliveMillis;

    Exchange(Engine engine, String method, URI uri, Lease lease, long readTimeoutMillis) {
        this.engine = engine;
        this.method = method;
        this.uri = uri;
        this.lease = lease;
        this.connection = lease.connection();
        this.readTimeoutMillis = readTimeoutMillis;
    }

    PooledConnection connection() {
        return this.connection;
    }

    boolean reused() {
        return this.lease.reused();
    }

    /** Sends the request and reads the response head. On failure the connection is closed. */
    ClassicHttpResponse send(ClassicHttpRequest request, HttpRequestExecutor executor, long connectTimeoutMillis)
            throws IOException, HttpException {
        try {
            if (!this.connection.isOpen()) {
                this.engine.connector.connect(this.connection, connectTimeoutMillis);
                this.engine.pool.connected(this.lease);
            }
            long headerTimeout = this.engine.settings.timeouts().responseHeader().toMillis();
            this.connection.setSocketTimeout(this.readTimeoutMillis);
            HttpCoreContext context = HttpCoreContext.create();
            ClassicHttpResponse response;
            boolean bodyCutShort;
            try (var head = ResponseHeadParser.await(this.connection, headerTimeout, this.readTimeoutMillis)) {
                response = ExpectContinue.applies(request)
                        ? ExpectContinue.execute(request, this.connection.wire, this.engine.settings.timeouts().expectContinue())
                        : executor.execute(request, this.connection.wire, context);
                // The server answered before it had the whole request body: the connection is out of step.
                bodyCutShort = head.earlyResponse() || !this.connection.wire.isConsistent();
            }
            this.connection.setSocketTimeout(this.readTimeoutMillis);
            long announced = keepAliveTimeoutMillis(response);
            this.keepAlive = !this.engine.settings.disableKeepAlives() && !bodyCutShort && announced != 0
                    && KeepAliveCheck.keepAlive(request, response, context);
            this.keepAliveMillis = this.keepAlive ? Math.max(announced, 0) : 0;
            return response;
        }
        catch (IOException | HttpException | RuntimeException ex) {
            // A reused connection found closed before any response byte is the server's idle close, not an error.
            if (reused() && Engine.isStale(ex)) {
                this.engine.pool.releaseStale(this.lease);
            }
            else {
                this.engine.pool.release(this.lease, false, 0, CloseReason.ERROR);
            }
            throw ex;
        }
    }

    /** The response has no body: the connection is free now. */
    void finishedWithoutBody() {
        this.engine.pool.release(this.lease, this.keepAlive, this.keepAliveMillis, CloseReason.SERVER_CLOSE);
    }

    /** Starts tracking the body of {@code response} (the object the application receives). */
    TrackedBody trackBody(Object response, HttpEntity entity) throws IOException {
        InputStream wire;
        OpenBody body;
        try {
            wire = entity.getContent();
            body = this.engine.tracker.open(response, this.method, this.uri, this.connection.route,
                    entity.getContentLength(), this.lease, this.lease.nearCap());
        }
        catch (IOException | RuntimeException ex) {
            this.engine.pool.release(this.lease, false, 0, CloseReason.ERROR);
            throw ex;
        }
        return new TrackedBody(this, wire, body, response);
    }

    /*
     * The ends of a body. Each is reached by a compare-and-set on the body's phase (see OpenBody); only the
     * path that won it counts the outcome and gives the connection back, so a reader, a closer on another
     * thread and the leak detector can race in any order and the connection is released exactly once.
     */

    /**
     * The reader (holding {@link OpenBody#READING}) reached EOF. Returns false when a close on another thread
     * ended the body first: that close gave the connection back, and the read must fail.
     */
    @Override
    public boolean readToEof(OpenBody body) {
        if (!body.advance(OpenBody.READING, OpenBody.AT_EOF)) {
            return false;
        }
        this.engine.pool.release(this.lease, this.keepAlive, this.keepAliveMillis, CloseReason.SERVER_CLOSE);
        return true;
    }

    /**
     * A decoder over the body (holding no read: {@link OpenBody#OPEN}) saw the end of the decoded body at the
     * end of the wire. False when a close on another thread ended the body first.
     */
    @Override
    public boolean decodedToEof(OpenBody body) {
        if (!body.advance(OpenBody.OPEN, OpenBody.AT_EOF)) {
            return false;
        }
        this.engine.pool.release(this.lease, this.keepAlive, this.keepAliveMillis, CloseReason.SERVER_CLOSE);
        return true;
    }

    /**
     * A read failed (the reader holds {@code from} = {@link OpenBody#READING}), or a decoder found the body
     * corrupt ({@code from} = {@link OpenBody#OPEN}); the exception for the application.
     */
    @Override
    public IOException failed(OpenBody body, int from, IOException cause) {
        if (!body.advance(from, OpenBody.DONE)) {
            return closedUnderRead(cause);
        }
        this.engine.tracker.finished(body, BodyOutcome.EARLY_DISCARDED);
        this.engine.pool.release(this.lease, false, 0, CloseReason.ERROR);
        if (cause instanceof SocketTimeoutException && this.readTimeoutMillis > 0) {
            cause = withCause(new SocketTimeoutException("no data for " + this.readTimeoutMillis
                    + " ms (read-timeout)"), cause);
        }
        return Failures.describe("Reading the body of " + describe() + " failed after " + body.bytesRead
                + " bytes", cause);
    }

    /** A read that a close on another thread ended (that close counted the body and freed its connection). */
    @Override
    public IOException closedUnderRead(Throwable cause) {
        IOException ex = new IOException("The body of " + describe() + " was closed while it was being read");
        if (cause != null) {
            ex.initCause(cause);
        }
        return ex;
    }

    /**
     * The application closed the body, on the reading thread or any other. At EOF it counts {@code eof};
     * open, it drains within the budget or discards; while another thread reads, it ends that read: the
     * connection is closed under the reader (which gets an exception) and its slot is freed.
     */
    @Override
    public void bodyClosed(OpenBody body, InputStream wire) {
        while (true) {
            switch (body.phase()) {
                case OpenBody.AT_EOF -> {
                    if (body.advance(OpenBody.AT_EOF, OpenBody.DONE)) {
                        this.engine.tracker.finished(body, BodyOutcome.EOF);
                        return;
                    }
                }
                case OpenBody.OPEN -> {
                    if (body.advance(OpenBody.OPEN, OpenBody.READING)) {
                        closeEarly(body, wire);
                        return;
                    }
                }
                case OpenBody.READING -> {
                    if (body.advance(OpenBody.READING, OpenBody.DONE)) {
                        // Closing the socket (abortively) is what wakes a read blocked on it.
                        this.engine.tracker.finished(body, BodyOutcome.EARLY_DISCARDED);
                        this.engine.pool.release(this.lease, false, 0, CloseReason.EARLY_CLOSE);
                        return;
                    }
                }
                default -> {
                    return; // already finished
                }
            }
        }
    }

    /** Closed before EOF, with no other read running: this thread holds {@link OpenBody#READING}. */
    private void closeEarly(OpenBody body, InputStream wire) {
        boolean drained = this.keepAlive && drain(body, wire);
        if (!body.advance(OpenBody.READING, OpenBody.DONE)) {
            return; // another close ended the drain and counted the body
        }
        if (drained) {
            this.engine.tracker.finished(body, BodyOutcome.EARLY_DRAINED);
            this.engine.pool.release(this.lease, true, this.keepAliveMillis, CloseReason.SERVER_CLOSE);
        }
        else {
            this.engine.tracker.finished(body, BodyOutcome.EARLY_DISCARDED);
            this.engine.pool.release(this.lease, false, 0,
                    this.keepAlive ? CloseReason.EARLY_CLOSE : CloseReason.SERVER_CLOSE);
        }
    }

    /**
     * Reads the rest of the body if it fits {@code drain.max-bytes} and arrives within {@code drain.timeout};
     * true when it reached the end. A known length over the budget is not read at all.
     */
    private boolean drain(OpenBody body, InputStream wire) {
        long maxBytes = this.engine.settings.drain().maxBytes();
        long remaining = body.contentLength >= 0 ? body.contentLength - body.bytesRead : -1;
        long timeoutNanos = this.engine.settings.drain().timeout().toNanos();
        if (maxBytes == 0 || timeoutNanos == 0 || remaining > maxBytes) {
            return false;
        }
        if (remaining == 0) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        byte[] buffer = new byte[(int) Math.min(8192, maxBytes + 1)];
        long drained = 0;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                this.connection.setSocketTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                int n = wire.read(buffer, 0, (int) Math.min(buffer.length, maxBytes - drained + 1));
                if (n == -1) {
                    return true;
                }
                drained += n;
                if (drained > maxBytes) {
                    return false;
                }
                if (body.contentLength >= 0 && body.bytesRead + drained == body.contentLength) {
                    return true;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            return false; // a timeout or a broken connection: either way it is not worth saving
        }
    }

    private static IOException withCause(IOException ex, Throwable cause) {
        ex.initCause(cause);
        return ex;
    }

    @Override
    public String describe() {
        return this.method + " " + UriRedactor.redact(this.uri) + " on " + this.connection;
    }

    /**
     * The server's {@code Keep-Alive: timeout=N} in millis, or -1 when it gave none (or none that parses).
     * {@code timeout=0} is 0: the server keeps the connection no time at all, so it must not be pooled.
     */
    private static long keepAliveTimeoutMillis(ClassicHttpResponse response) {
        Header header = response.getFirstHeader("Keep-Alive");
        if (header == null || header.getValue() == null) {
            return -1;
        }
        for (String part : header.getValue().split(",")) {
            String param = part.trim();
            if (param.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    long seconds = Long.parseLong(param.substring(8).trim());
                    return seconds >= 0 ? TimeUnit.SECONDS.toMillis(seconds) : -1;
                }
                catch (NumberFormatException ex) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
