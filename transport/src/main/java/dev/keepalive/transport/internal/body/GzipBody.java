package dev.keepalive.transport.internal.body;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.ZipException;

/**
 * The decoded body of a gzip response (rule 19), read over the {@link TrackedBody} of its wire bytes. It
 * reports the end of the body only after the gzip trailer checked out and the wire body is at its end, so
 * the connection goes back to the pool exactly when the application sees EOF (rule 7). A stream that is
 * corrupt, or that ends before its trailer, fails the body: the connection is closed, never reused. Closed
 * early, the {@link TrackedBody} drains what is left of the wire, so the drain budget counts wire bytes
 * (rule 8). Several gzip members in a row are one body (RFC 1952 §2.2), as in Go.
 *
 * <p>This class is the decoding state machine; the compressed bytes and the gzip framing around them are
 * {@link GzipWire}'s. Buffers and the inflater are made on the first read. The inflater's native memory
 * ({@link Inflation}) is freed with {@code end()} on every path: EOF, close, failure, and, through the tracker, a
 * leak reclaimed.
 */
public final class GzipBody extends BodyStream {

    private static final int HEADER = 0;
    private static final int DATA = 1;
    private static final int DONE = 2;
    private static final int FAILED = 3;

    private final TrackedBody wire;
    private final GzipWire input;
    private final Inflation inflation = new Inflation();
    private int state = HEADER;
    private volatile boolean closed;
    /** The CRC-32 of the current member's header, then of its decoded bytes. */
    private CRC32 crc;
    private long memberBytes;

    public GzipBody(TrackedBody wire) {
        this.wire = wire;
        this.input = new GzipWire(wire);
        wire.decodedBy(this.inflation);
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
        try {
            if (this.closed || this.state == DONE) {
                return -1;
            }
            if (this.state == FAILED) {
                throw new IOException("The gzip body of " + this.wire.describe() + " failed earlier; it cannot be read");
            }
            if (len == 0) {
                return 0;
            }
            return decode(b, off, len);
        }
        finally {
            // The response must stay reachable while a read blocks (see TrackedBody).
            Reference.reachabilityFence(this);
        }
    }

    private int decode(byte[] b, int off, int len) throws IOException {
        try {
            while (true) {
                if (this.state == HEADER) {
                    if (this.crc == null) {
                        this.crc = new CRC32();
                    }
                    if (!this.input.started() && !this.input.start()) {
                        // No byte at all (a chunked body that is empty): an empty body, as Go reads it.
                        end();
                        return -1;
                    }
                    this.input.readHeader(this.crc);
                    this.memberBytes = 0;
                    this.inflation.reset();
                    this.input.feed(this.inflation);
                    this.state = DATA;
                    continue;
                }
                int n = this.inflation.inflate(b, off, len);
                if (n > 0) {
                    this.crc.update(b, off, n);
                    this.memberBytes += n;
                }
                if (this.inflation.finished) {
                    this.input.readTrailer(this.inflation.remaining, this.crc.getValue(), this.memberBytes);
                    if (this.input.atEnd()) {
                        end();
                    }
                    else {
                        this.state = HEADER; // another gzip member follows
                    }
                    if (n > 0) {
                        return n;
                    }
                    if (this.state == DONE) {
                        return -1;
                    }
                    continue;
                }
                if (n > 0) {
                    return n;
                }
                if (this.inflation.needsDictionary) {
                    throw new ZipException("corrupt gzip body: the deflate data asks for a preset dictionary");
                }
                if (!this.input.refill(this.inflation)) {
                    throw new EOFException("gzip body truncated: the response ended inside the compressed data");
                }
            }
        }
        catch (ZipException | EOFException ex) {
            throw fail(ex);
        }
        catch (DataFormatException ex) {
            throw fail(new ZipException("corrupt gzip body: invalid deflate data (" + ex.getMessage() + ")"));
        }
        catch (IOException | RuntimeException ex) {
            // A wire failure, already reported (and its connection closed) by the tracked body, or a close from
            // another thread: either way this stream is done.
            this.state = FAILED;
            this.inflation.end();
            throw ex;
        }
    }

    /**
     * Reads the rest of the decoded body into one array of the length the gzip trailer announces (RFC 1952
     * ISIZE): the compressed rest of the wire, a fraction of what it decodes to, is read first, and the decoded
     * bytes go straight into that array, instead of the JDK's 8 KiB pieces copied together at the end. The length
     * is only the server's word: it sizes the first array ({@link #oneArray}), a longer body grows it, a wrong
     * one fails the trailer's check as any read would.
     */
    @Override
    byte[] readWhole(int len) throws IOException {
        long announced = decodedBytesLeft();
        if (announced < 0) {
            return readPieces(len);
        }
        return oneArray((int) Math.min(len, announced + toReplay()), len);
    }

    /**
     * How many decoded bytes are left by the word of the wire's last trailer, read with the rest of the wire
     * ({@link GzipWire#takeRest}); -1 when that is unknown: between two members, or a wire too long to hold.
     */
    private long decodedBytesLeft() throws IOException {
        boolean fresh = this.state == HEADER && !this.input.started();
        if (this.closed || (this.state != DATA && !fresh)) {
            return -1;
        }
        try {
            long announced = this.input.takeRest(this.inflation);
            return announced < 0 ? -1 : (announced - this.memberBytes) & 0xffffffffL;
        }
        catch (IOException | RuntimeException ex) {
            // A wire failure, already reported by the tracked body, or a close from another thread.
            this.state = FAILED;
            this.inflation.end();
            throw ex;
        }
    }

    /**
     * The decoded body is complete and the wire at its end: free the inflater, give the connection back.
     * Throws when a close on another thread ended the body first.
     */
    private void end() throws IOException {
        this.state = DONE;
        this.inflation.end();
        this.wire.decodedEnd();
    }

    private IOException fail(IOException cause) {
        this.state = FAILED;
        this.inflation.end();
        if (this.closed) {
            // Closed on another thread while this read ran: the close already finished the body.
            return new IOException("The gzip body of " + this.wire.describe() + " was closed", cause);
        }
        return this.wire.decodeFailed(cause);
    }

    @Override
    boolean closed() {
        return this.closed;
    }

    @Override
    String describe() {
        return this.wire.describe();
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.inflation.end();
            this.wire.close();
        }
        finally {
            Reference.reachabilityFence(this);
        }
    }

    public Inflation inflation() {
        return this.inflation;
    }
}
