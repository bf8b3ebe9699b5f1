package dev.keepalive.transport.internal.exchange;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.internal.pool.PooledConnection;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.io.HttpMessageParser;
import org.apache.hc.core5.http.io.HttpTransportMetrics;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * HttpCore's strict response parser with two limits it lacks. The whole head (status line and header
 * lines) may take at most {@link Engine#MAX_RESPONSE_HEAD_BYTES}: HttpCore caps one line and the number of
 * lines, which still lets a server make the client hold 500 lines of 64 KiB. And while an {@link Exchange}
 * waits for a head, {@code response-header-timeout} is a deadline for the whole head, as in Go, not a
 * timeout per read that a server trickling one line at a time never trips; {@code read-timeout} still
 * bounds each read. Timeouts are reported with the setting that expired.
 *
 * <p>It also owns two facts about a head that the rest of the exchange relies on: a head framed both by
 * {@code Transfer-Encoding} and {@code Content-Length} is a protocol error, and a connection that fails after
 * some of the head arrived is reported as {@link ResponseCutShortException}, never as a stale connection.
 *
 * <p>Why one class of this size: the two limits are enforced by three small nested types that share one
 * head's state ({@link HeadWait} the deadline, {@code Guarded} the socket reads under it, {@code Limited} the
 * byte count), and the exchange sets that state through this class's static entry points around each head;
 * apart, each would expose to the whole package what only the parse of one head may touch.
 */
final class ResponseHeadParser implements HttpMessageParser<ClassicHttpResponse> {

    /**
     * The calling thread's head wait, made once per thread and reset by each {@link #await}: a thread reads
     * one head at a time, and a new one per request would be an allocation on every request.
     */
    private static final ThreadLocal<HeadWait> WAITING = ThreadLocal.withInitial(HeadWait::new);

    /*
     * HttpCore's parser, not a line reader of our own: one that handed back the previous response's header
     * objects allocated 2.7 KB less per request but cost up to 1.7x the CPU per request at c16 in the benchmark
     * (bimodal from run to run), so the allocation was not worth it.
     */
    private final DefaultHttpResponseParser delegate;
    /** The connection's input buffer, as the head's lines may use it; one per connection, reset per head. */
    private Limited limited;
    /** The connection's socket stream under the current head's timeouts; one per connection, like {@link #limited}. */
    private Guarded guarded;

    ResponseHeadParser(Http1Config config) {
        this.delegate = new DefaultHttpResponseParser(config);
    }

    @Override
    public ClassicHttpResponse parse(SessionInputBuffer buffer, InputStream in) throws IOException, HttpException {
        HeadWait wait = WAITING.get();
        if (!wait.active) {
            wait = null; // no exchange is waiting for this head: no timeouts of its own to apply
        }
        if (wait != null && buffer.length() > 0) {
            wait.received += buffer.length(); // read ahead while the request was sent (an early answer, a 100)
        }
        if (this.limited == null || this.limited.buffer != buffer) {
            this.limited = new Limited(buffer);
        }
        this.limited.headBytes = 0;
        InputStream source = in;
        if (wait != null) {
            if (this.guarded == null || !this.guarded.wraps(in)) {
                this.guarded = new Guarded(in);
            }
            this.guarded.wait = wait;
            source = this.guarded;
        }
        ClassicHttpResponse response;
        try {
            response = this.delegate.parse(this.limited, source);
        }
        finally {
            if (this.guarded != null) {
                this.guarded.wait = null;
            }
        }
        if (response != null && response.containsHeader(HttpHeaders.TRANSFER_ENCODING)
                && response.containsHeader(HttpHeaders.CONTENT_LENGTH)) {
            // RFC 9112 §6.3: where the body ends is in doubt (response splitting or smuggling), so nothing
            // after this head can be trusted, on this exchange or the next one on this connection.
            throw new ProtocolException("Response has both Transfer-Encoding and Content-Length, so its framing "
                    + "is ambiguous (RFC 9112 section 6.3)");
        }
        return response;
    }

    /**
     * The timeouts of the head the current thread is about to read on {@code connection}; the deadline of
     * {@code headerTimeoutMillis} (0 = none) starts at the first read, after the request was written.
     * Close it once the head is read.
     */
    static HeadWait await(PooledConnection connection, long headerTimeoutMillis, long readTimeoutMillis) {
        HeadWait wait = WAITING.get();
        wait.start(connection, headerTimeoutMillis, readTimeoutMillis);
        return wait;
    }

    /** Records that the response began to arrive while the request body was still being sent. */
    static void earlyResponse() {
        HeadWait wait = WAITING.get();
        if (wait.active) {
            wait.earlyResponse = true;
        }
    }

    /**
     * The request body has just been sent after an interim response was read: {@code response-header-timeout}
     * counts again from the next read, as it counts from the end of the request everywhere else.
     */
    static void requestWritten() {
        HeadWait wait = WAITING.get();
        if (wait.active) {
            wait.started = false;
        }
    }

    /** The timeouts that apply while one head is read; one per thread, set up again for each head. */
    static final class HeadWait implements AutoCloseable {

        private boolean active;
        private PooledConnection connection;
        private long headerTimeoutMillis;
        private long readTimeoutMillis;
        private long startNanos;
        private boolean started;
        private boolean headerDeadlineBinds;
        private boolean earlyResponse;
        /** Bytes of the response that arrived so far. */
        private long received;

        private void start(PooledConnection connection, long headerTimeoutMillis, long readTimeoutMillis) {
            this.connection = connection;
            this.headerTimeoutMillis = headerTimeoutMillis;
            this.readTimeoutMillis = readTimeoutMillis;
            this.startNanos = 0;
            this.started = false;
            this.headerDeadlineBinds = false;
            this.earlyResponse = false;
            this.received = 0;
            this.active = true;
        }

        /** Sets the socket timeout to what is left of the head's deadline, or the read timeout if shorter. */
        private void beforeRead() throws SocketTimeoutException {
            if (this.headerTimeoutMillis <= 0) {
                return;
            }
            long now = System.nanoTime();
            if (!this.started) {
                this.started = true;
                this.startNanos = now;
            }
            long left = TimeUnit.MILLISECONDS.toNanos(this.headerTimeoutMillis) - (now - this.startNanos);
            if (left <= 0) {
                this.headerDeadlineBinds = true;
                throw timedOut(null);
            }
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
            this.headerDeadlineBinds = this.readTimeoutMillis <= 0 || leftMillis <= this.readTimeoutMillis;
            this.connection.setSocketTimeout(this.headerDeadlineBinds ? leftMillis : this.readTimeoutMillis);
        }

        private SocketTimeoutException timedOut(SocketTimeoutException cause) {
            SocketTimeoutException ex = new SocketTimeoutException(this.headerDeadlineBinds
                    ? "no response headers within " + this.headerTimeoutMillis + " ms (response-header-timeout)"
                    : "no data for " + this.readTimeoutMillis + " ms (read-timeout)");
            if (cause != null) {
                ex.initCause(cause);
            }
            return ex;
        }

        /**
         * A connection that fails once the response has begun was not stale: the server took the request and
         * answered. Such a failure must not pass for the idle close that a retry (rule 10) is for, so it is
         * reported as a {@link ResponseCutShortException}, which is not one.
         */
        private IOException afterResponseBegan(IOException ex) {
            if (this.received == 0) {
                return ex;
            }
            String reason = ex.getMessage() == null ? ex.getClass().getSimpleName()
                    : ex.getClass().getSimpleName() + " (" + ex.getMessage() + ")";
            ResponseCutShortException cut = new ResponseCutShortException("the connection failed after "
                    + this.received + " bytes of the response head: " + reason);
            cut.initCause(ex);
            return cut;
        }

        /** Whether the response came before the whole request body was sent (see {@link EarlyResponse}). */
        boolean earlyResponse() {
            return this.earlyResponse;
        }

        @Override
        public void close() {
            this.active = false;
            this.connection = null; // the thread keeps this object, not the connection
        }
    }

    /** A connection's socket stream whose reads keep the timeouts of the head being read ({@link #wait}). */
    private static final class Guarded extends FilterInputStream {

        /** The head being read; set only while {@link ResponseHeadParser#parse} runs. */
        private HeadWait wait;

        Guarded(InputStream in) {
            super(in);
        }

        boolean wraps(InputStream stream) {
            return this.in == stream;
        }

        @Override
        public int read() throws IOException {
            HeadWait head = this.wait;
            head.beforeRead();
            try {
                int b = super.read();
                head.received += b >= 0 ? 1 : 0;
                return b;
            }
            catch (SocketTimeoutException ex) {
                throw head.timedOut(ex);
            }
            catch (IOException ex) {
                throw head.afterResponseBegan(ex);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            HeadWait head = this.wait;
            head.beforeRead();
            try {
                int n = super.read(b, off, len);
                head.received += Math.max(n, 0);
                return n;
            }
            catch (SocketTimeoutException ex) {
                throw head.timedOut(ex);
            }
            catch (IOException ex) {
                throw head.afterResponseBegan(ex);
            }
        }
    }

    /** A connection that failed after part of the response head had arrived: not a stale connection. */
    static final class ResponseCutShortException extends IOException {

        private static final long serialVersionUID = 1L;

        ResponseCutShortException(String message) {
            super(message);
        }
    }

    /** Counts the bytes of the head's lines and fails once they pass the limit. */
    private static final class Limited implements SessionInputBuffer {

        private final SessionInputBuffer buffer;
        private long headBytes;

        Limited(SessionInputBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int readLine(CharArrayBuffer dst, InputStream in) throws IOException {
            int before = dst.length();
            int n = this.buffer.readLine(dst, in);
            if (n >= 0) {
                this.headBytes += dst.length() - before + 2; // and its CRLF
                if (this.headBytes > Engine.MAX_RESPONSE_HEAD_BYTES) {
                    throw new MessageConstraintException("Response head exceeds " + Engine.MAX_RESPONSE_HEAD_BYTES
                            + " bytes");
                }
            }
            return n;
        }

        @Override
        public int length() {
            return this.buffer.length();
        }

        @Override
        public int capacity() {
            return this.buffer.capacity();
        }

        @Override
        public int available() {
            return this.buffer.available();
        }

        @Override
        public int read(byte[] b, int off, int len, InputStream in) throws IOException {
            return this.buffer.read(b, off, len, in);
        }

        @Override
        public int read(byte[] b, InputStream in) throws IOException {
            return this.buffer.read(b, in);
        }

        @Override
        public int read(InputStream in) throws IOException {
            return this.buffer.read(in);
        }

        @Override
        public HttpTransportMetrics getMetrics() {
            return this.buffer.getMetrics();
        }
    }
}
