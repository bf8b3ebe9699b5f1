package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * The body stream the application reads. At EOF it hands the connection back to the pool at once (Go's
 * rule), whether or not it is closed afterwards; closed early it drains at most {@code drain.max-bytes}
 * within {@code drain.timeout} to save the connection, else closes the connection unread. Once the
 * connection is back in the pool this stream never touches it again.
 *
 * <p>It holds its response strongly, so an application that keeps only the stream keeps the response
 * reachable and is not taken for a leak.
 *
 * <p>Reading a whole body costs one array and big reads: {@link #readNBytes(int)} and {@link #readAllBytes()}
 * (what Spring's {@code ByteArrayHttpMessageConverter} calls) fill one array of the body's known length
 * instead of the JDK's 8 KiB pieces copied together at the end, and {@link #transferTo} uses a buffer sized to
 * the body. {@link #mark} and {@link #reset} work as {@link BodyStream} says.
 */
public final class TrackedBody extends BodyStream {

    /** The largest buffer {@link #transferTo} allocates. */
    static final int MAX_TRANSFER_BUFFER = 64 * 1024;

    private static final byte[] NO_BYTES = new byte[0];

    private final BodyEnd exchange;
    private final InputStream wire;
    private final OpenBody body;
    /** Never read: held so that the response stays reachable as long as its stream is. */
    @SuppressWarnings("unused")
    private final Object owner;
    /** A read of this stream failed, or was ended by a close on another thread. */
    private volatile boolean failed;
    /** Set when a decoder reads this stream: then the decoder says when the body has ended (rule 19). */
    private boolean endByDecoder;

    public TrackedBody(BodyEnd exchange, InputStream wire, OpenBody body, Object owner) {
        this.exchange = exchange;
        this.wire = wire;
        this.body = body;
        this.owner = owner;
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
        try {
            return readTracked(b, off, len);
        }
        finally {
            // While a read blocks, this stream (and so its response) must stay reachable, or the JIT may
            // let the response be collected mid-read and the tracker would take the body for a leak.
            Reference.reachabilityFence(this);
        }
    }

    private int readTracked(byte[] b, int off, int len) throws IOException {
        if (!this.body.advance(OpenBody.OPEN, OpenBody.READING)) {
            return notReadable();
        }
        int n;
        try {
            if (len == 0) {
                n = 0;
            }
            else {
                n = this.wire.read(b, off, len);
            }
        }
        catch (IOException ex) {
            this.failed = true;
            throw this.exchange.failed(this.body, OpenBody.READING, ex);
        }
        catch (RuntimeException ex) {
            this.failed = true;
            throw this.exchange.failed(this.body, OpenBody.READING, new IOException(ex.toString(), ex));
        }
        if (n == -1) {
            if (this.endByDecoder) {
                return stillOpen(-1);
            }
            return atEof();
        }
        if (n > 0) {
            long read = this.body.bytesRead + n;
            this.body.bytesRead = read;
            this.body.lastReadNanos = System.nanoTime();
            if (read == this.body.contentLength && !this.endByDecoder) {
                // Every declared byte is here: give the connection back now rather than on the next read.
                atEof();
                return n;
            }
        }
        return stillOpen(n);
    }

    /** The read is over and the body goes on (or its end is the decoder's to say): back to OPEN. */
    private int stillOpen(int n) throws IOException {
        if (!this.body.advance(OpenBody.READING, OpenBody.OPEN)) {
            this.failed = true;
            throw this.exchange.closedUnderRead(null);
        }
        return n;
    }

    private int atEof() throws IOException {
        if (!this.exchange.readToEof(this.body)) {
            this.failed = true;
            throw this.exchange.closedUnderRead(null);
        }
        return -1;
    }

    /** A read when the body is not open: -1 once it was read to the end or closed, an error after a failure. */
    private int notReadable() throws IOException {
        if (this.body.phase() == OpenBody.READING) {
            throw new IOException("The body of " + this.exchange.describe() + " is being read by another thread");
        }
        if (this.failed) {
            throw new IOException("The body of " + this.exchange.describe() + " failed earlier; it cannot be read");
        }
        return -1;
    }

    /** The length of what is left to read (bytes to replay included), or -1 when the body's length is unknown. */
    private long remaining() {
        if (this.body.contentLength < 0 || this.endByDecoder) {
            return -1;
        }
        return Math.max(0, this.body.contentLength - this.body.bytesRead) + toReplay();
    }

    /**
     * With a known length, reads into one array of that length (at most {@link #MAX_FIRST_ALLOCATION} before the
     * bytes arrive, doubled as they do), each read asking the socket for all that is left.
     */
    @Override
    byte[] readWhole(int len) throws IOException {
        long left = remaining();
        if (left < 0) {
            return readPieces(len);
        }
        int size = (int) Math.min(len, left);
        if (size == 0) {
            read(NO_BYTES, 0, 0); // an earlier failure is reported, as the read of a plain stream would
            return NO_BYTES;
        }
        return oneArray(size, size);
    }

    /** Copies the rest of the body to {@code out} through a buffer no larger than the body. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        long left = remaining();
        byte[] buffer = new byte[(int) (left < 0 ? 16 * 1024 : Math.max(1, Math.min(left, MAX_TRANSFER_BUFFER)))];
        long transferred = 0;
        for (int n; (n = read(buffer, 0, buffer.length)) >= 0;) {
            out.write(buffer, 0, n);
            transferred += n;
        }
        return transferred;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 0))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r == -1) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        // Only while no other thread reads: Apache's stream is not safe to share.
        int replay = toReplay();
        return this.body.phase() == OpenBody.OPEN ? replay + this.wire.available() : replay;
    }

    @Override
    public void close() {
        try {
            this.exchange.bodyClosed(this.body, this.wire);
        }
        finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A decoder reads this stream and the application reads the decoder. The end of the wire then releases
     * nothing by itself: the decoder calls {@link #decodedEnd()} once it has checked what it read, or
     * {@link #decodeFailed} when it found it corrupt. Its native memory is freed when the body ends.
     */
    void decodedBy(Inflation inflation) {
        this.endByDecoder = true;
        this.body.inflation = inflation;
    }

    /**
     * The decoder reached the end of the decoded body, and the wire is at its end: the connection goes back.
     * Throws when a close on another thread ended the body first.
     */
    void decodedEnd() throws IOException {
        if (!this.exchange.decodedToEof(this.body)) {
            this.failed = true;
            throw this.exchange.closedUnderRead(null);
        }
    }

    /** The decoder found the body corrupt or cut short: the body fails and its connection is closed. */
    IOException decodeFailed(IOException cause) {
        this.failed = true;
        return this.exchange.failed(this.body, OpenBody.OPEN, cause);
    }

    @Override
    String describe() {
        return this.exchange.describe();
    }

    /** Closed, read to its end or failed: the body is done, and nothing read since a mark is given again. */
    @Override
    boolean closed() {
        return this.body.phase() == OpenBody.DONE;
    }

    public long bodyId() {
        return this.body.id;
    }
}
