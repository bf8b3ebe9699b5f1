package dev.keepalive.transport.internal.body;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.Objects;
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
 * <p>Nothing is allocated before the first read. The inflater's native memory ({@link Inflation}) is freed with
 * {@code end()} on every path: EOF, close, failure, and, through the tracker, a leak reclaimed.
 */
public final class GzipBody extends BodyStream {

    private static final int HEADER = 0;
    private static final int DATA = 1;
    private static final int DONE = 2;
    private static final int FAILED = 3;

    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED = 0xe0;

    /**
     * Wire bytes read per fill, as Go's gzip reader buffers them: a compressed body is a fraction of what it
     * decodes to, so a larger buffer saves few reads (a server's chunk often ends a read first) and costs heap on
     * every body.
     */
    private static final int WIRE_BUFFER = 4096;

    private final TrackedBody wire;
    private final Inflation inflation = new Inflation();
    private int state = HEADER;
    private volatile boolean closed;
    private byte[] buffer;
    private int pos;
    private int lim;
    private CRC32 crc;
    private long memberBytes;

    public GzipBody(TrackedBody wire) {
        this.wire = wire;
        wire.decodedBy(this.inflation);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
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
                    if (this.buffer == null) {
                        this.buffer = new byte[WIRE_BUFFER];
                        this.crc = new CRC32();
                        if (!fill()) {
                            // No byte at all (a chunked body that is empty): an empty body, as Go reads it.
                            end();
                            return -1;
                        }
                    }
                    readHeader();
                    this.state = DATA;
                    continue;
                }
                int n = this.inflation.inflate(b, off, len);
                if (n > 0) {
                    this.crc.update(b, off, n);
                    this.memberBytes += n;
                }
                if (this.inflation.finished) {
                    this.pos = this.lim - this.inflation.remaining;
                    readTrailer();
                    if (atEndOfWire()) {
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
                if (!fill()) {
                    throw new EOFException("gzip body truncated: the response ended inside the compressed data");
                }
                this.inflation.setInput(this.buffer, this.pos, this.lim - this.pos);
                this.pos = this.lim;
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

    /** RFC 1952 §2.3: magic, method 8 (deflate), flags, and the optional fields they announce. */
    private void readHeader() throws IOException {
        this.crc.reset();
        if (headerByte() != 0x1f || headerByte() != 0x8b) {
            throw new ZipException("corrupt gzip body: not in gzip format (no gzip magic number)");
        }
        if (headerByte() != 8) {
            throw new ZipException("corrupt gzip body: unsupported compression method (only deflate is defined)");
        }
        int flags = headerByte();
        if ((flags & RESERVED) != 0) {
            throw new ZipException("corrupt gzip body: reserved header flags are set");
        }
        for (int i = 0; i < 6; i++) {
            headerByte(); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int extra = headerByte() | (headerByte() << 8);
            for (int i = 0; i < extra; i++) {
                headerByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte() != 0) {
                // the original file name, not needed
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte() != 0) {
                // a comment, not needed
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (this.crc.getValue() & 0xffff);
            if ((nextByte() | (nextByte() << 8)) != expected) {
                throw new ZipException("corrupt gzip body: header checksum mismatch");
            }
        }
        this.crc.reset();
        this.memberBytes = 0;
        this.inflation.reset();
        if (this.pos < this.lim) {
            this.inflation.setInput(this.buffer, this.pos, this.lim - this.pos);
            this.pos = this.lim;
        }
    }

    /** RFC 1952 §2.3.1: CRC-32 and size (mod 2^32) of the decoded member. */
    private void readTrailer() throws IOException {
        long crc32 = readInt();
        long size = readInt();
        if (crc32 != this.crc.getValue()) {
            throw new ZipException("corrupt gzip body: CRC-32 mismatch");
        }
        if (size != (this.memberBytes & 0xffffffffL)) {
            throw new ZipException("corrupt gzip body: decoded size mismatch");
        }
    }

    /**
     * Whether the wire body ended right after a member. Reads on when nothing is buffered: a Content-Length body
     * answers at once; a chunked one reads its last chunk, which the server sends with the data.
     */
    private boolean atEndOfWire() throws IOException {
        return this.pos == this.lim && !fill();
    }

    private long readInt() throws IOException {
        return (nextByte() | (nextByte() << 8) | (nextByte() << 16) | ((long) nextByte() << 24)) & 0xffffffffL;
    }

    private int headerByte() throws IOException {
        int b = nextByte();
        this.crc.update(b);
        return b;
    }

    private int nextByte() throws IOException {
        if (this.pos == this.lim && !fill()) {
            throw new EOFException("gzip body truncated: the response ended inside a gzip header or trailer");
        }
        return this.buffer[this.pos++] & 0xff;
    }

    /** Reads more wire bytes into the empty buffer; false at the end of the wire body. */
    private boolean fill() throws IOException {
        int n = this.wire.read(this.buffer, 0, this.buffer.length);
        if (n == -1) {
            return false;
        }
        this.pos = 0;
        this.lim = n;
        return true;
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
