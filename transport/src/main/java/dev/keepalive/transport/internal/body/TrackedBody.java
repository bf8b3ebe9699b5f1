package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.util.Arrays;
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
 * the body. {@link #mark} and {@link #reset} are supported by keeping the bytes read since the mark, so that
 * {@code RestClient}'s look at the first byte (mark, read one byte, reset) needs no {@code PushbackInputStream}
 * around this stream.
 *
 * <p>Why one class of this size: every way of reading an {@code InputStream} ({@code read}, {@code readNBytes},
 * {@code readAllBytes}, {@code transferTo}, {@code skip}, mark/reset) is overridden here, because each must
 * count its bytes and report the end exactly once; split across classes that rule would be written twice.
 */
public final class TrackedBody extends BodyStream {

    /** The most {@link #readNBytes(int)} allocates before the bytes arrive: a length is only the server's word. */
    static final int MAX_FIRST_ALLOCATION = 1024 * 1024;

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
    /** The bytes read since {@link #mark}, to be read again after {@link #reset}; null when no mark is valid. */
    private byte[] marked;
    /** How many bytes {@link #marked} holds, and where the next read takes them from (= count: none to replay). */
    private int markedCount;
    private int markedPos;
    private int markLimit;

    public TrackedBody(BodyEnd exchange, InputStream wire, OpenBody body, Object owner) {
        this.exchange = exchange;
        this.wire = wire;
        this.body = body;
        this.owner = owner;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (this.markedPos < this.markedCount && this.body.phase() != OpenBody.DONE) {
            return replay(b, off, len);
        }
        try {
            int n = readTracked(b, off, len);
            if (n > 0 && this.marked != null) {
                remember(b, off, n);
            }
            return n;
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
        return Math.max(0, this.body.contentLength - this.body.bytesRead) + (this.markedCount - this.markedPos);
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        return readNBytes(Integer.MAX_VALUE);
    }

    /**
     * With a known length, reads into one array of that length (at most {@link #MAX_FIRST_ALLOCATION} before the
     * bytes arrive, doubled as they do), each read asking the socket for all that is left.
     */
    @Override
    public byte[] readNBytes(int len) throws IOException {
        if (len < 0) {
            throw new IllegalArgumentException("len < 0");
        }
        long left = remaining();
        if (left < 0) {
            return super.readNBytes(len);
        }
        int size = (int) Math.min(len, left);
        if (size == 0) {
            read(NO_BYTES, 0, 0); // an earlier failure is reported, as the read of a plain stream would
            return NO_BYTES;
        }
        byte[] out = new byte[Math.min(size, MAX_FIRST_ALLOCATION)];
        int filled = 0;
        while (filled < size) {
            if (filled == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(size, 2L * out.length));
            }
            int n = read(out, filled, out.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled == out.length ? out : Arrays.copyOf(out, filled);
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
    public boolean markSupported() {
        return true;
    }

    /**
     * Keeps the bytes read from now on, up to {@code readlimit} of them, so that {@link #reset} can give them
     * again. Reading more than that drops the mark.
     */
    @Override
    public void mark(int readlimit) {
        int pending = this.markedCount - this.markedPos; // replayed bytes not yet read again stay readable
        int limit = Math.max(Math.max(readlimit, 0), pending);
        byte[] kept = new byte[Math.max(pending, Math.min(limit, 256))];
        if (pending > 0) {
            System.arraycopy(this.marked, this.markedPos, kept, 0, pending);
        }
        this.marked = kept;
        this.markedCount = pending;
        this.markedPos = 0;
        this.markLimit = limit;
    }

    @Override
    public void reset() throws IOException {
        if (this.marked == null) {
            throw new IOException("Resetting the body of " + this.exchange.describe()
                    + " to an invalid mark: none was set, or more than its read limit was read since");
        }
        this.markedPos = 0;
    }

    private int replay(byte[] b, int off, int len) {
        int n = Math.min(len, this.markedCount - this.markedPos);
        System.arraycopy(this.marked, this.markedPos, b, off, n);
        this.markedPos += n;
        return n;
    }

    /** Keeps bytes just read from the wire after a mark; past the mark's limit the mark is dropped. */
    private void remember(byte[] b, int off, int n) {
        int count = this.markedCount + n;
        if (count > this.markLimit) {
            this.marked = null;
            this.markedCount = 0;
            this.markedPos = 0;
            return;
        }
        if (count > this.marked.length) {
            this.marked = Arrays.copyOf(this.marked, (int) Math.min(this.markLimit, Math.max(count, 2L * this.marked.length)));
        }
        System.arraycopy(b, off, this.marked, this.markedCount, n);
        this.markedCount = count;
        this.markedPos = count;
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
        int phase = this.body.phase();
        int replay = phase != OpenBody.DONE ? this.markedCount - this.markedPos : 0;
        return phase == OpenBody.OPEN ? replay + this.wire.available() : replay;
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

    String describe() {
        return this.exchange.describe();
    }

    public long bodyId() {
        return this.body.id;
    }
}
