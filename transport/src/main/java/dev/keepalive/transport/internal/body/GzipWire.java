package dev.keepalive.transport.internal.body;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipException;

/**
 * The wire side of a {@link GzipBody}: the compressed bytes, buffered from the {@link TrackedBody} that reads them,
 * the RFC 1952 framing around each member (header, trailer, whether another member follows), and the bytes handed
 * to the {@link Inflation}. Whatever the inflater was given last is {@code buffer[lim - remaining, lim)}.
 */
final class GzipWire {

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
    static final int BUFFER = 4096;

    /**
     * The most wire bytes {@link #takeRest} holds, to learn the decoded length from the trailer: about what a
     * 1 MiB JSON body compresses to at nginx's level 1, and far less than a longer body decodes to.
     */
    static final int MAX_REST = 256 * 1024;

    private final TrackedBody wire;
    private byte[] buffer;
    private int pos;
    private int lim;
    /** What {@link #takeRest} found, kept so that it reads the wire ahead once per body; -2 before it ran. */
    private long announced = -2;

    GzipWire(TrackedBody wire) {
        this.wire = wire;
    }

    /** Whether the first wire bytes were read (by {@link #start()} or {@link #takeRest}). */
    boolean started() {
        return this.buffer != null;
    }

    /** Reads the first wire bytes; false when the wire body has none at all. */
    boolean start() throws IOException {
        this.buffer = new byte[BUFFER];
        return fill();
    }

    /** RFC 1952 §2.3: magic, method 8 (deflate), flags, and the optional fields they announce. */
    void readHeader(CRC32 crc) throws IOException {
        crc.reset();
        if (headerByte(crc) != 0x1f || headerByte(crc) != 0x8b) {
            throw new ZipException("corrupt gzip body: not in gzip format (no gzip magic number)");
        }
        if (headerByte(crc) != 8) {
            throw new ZipException("corrupt gzip body: unsupported compression method (only deflate is defined)");
        }
        int flags = headerByte(crc);
        if ((flags & RESERVED) != 0) {
            throw new ZipException("corrupt gzip body: reserved header flags are set");
        }
        for (int i = 0; i < 6; i++) {
            headerByte(crc); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int extra = headerByte(crc) | (headerByte(crc) << 8);
            for (int i = 0; i < extra; i++) {
                headerByte(crc);
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte(crc) != 0) {
                // the original file name, not needed
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte(crc) != 0) {
                // a comment, not needed
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (crc.getValue() & 0xffff);
            if ((nextByte() | (nextByte() << 8)) != expected) {
                throw new ZipException("corrupt gzip body: header checksum mismatch");
            }
        }
        crc.reset();
    }

    /** Hands the buffered bytes after a header to the inflater. */
    void feed(Inflation inflation) throws IOException {
        if (this.pos < this.lim) {
            inflation.setInput(this.buffer, this.pos, this.lim - this.pos);
            this.pos = this.lim;
        }
    }

    /** Reads more wire bytes and hands them to the inflater; false at the end of the wire body. */
    boolean refill(Inflation inflation) throws IOException {
        if (!fill()) {
            return false;
        }
        feed(inflation);
        return true;
    }

    /**
     * RFC 1952 §2.3.1: CRC-32 and size (mod 2^32) of the decoded member, which begins after the
     * {@code unconsumed} bytes the inflater left.
     */
    void readTrailer(int unconsumed, long crc32, long memberBytes) throws IOException {
        this.pos = this.lim - unconsumed;
        long expectedCrc = readInt();
        long size = readInt();
        if (expectedCrc != crc32) {
            throw new ZipException("corrupt gzip body: CRC-32 mismatch");
        }
        if (size != (memberBytes & 0xffffffffL)) {
            throw new ZipException("corrupt gzip body: decoded size mismatch");
        }
    }

    /**
     * Whether the wire body ended right after a member. Reads on when nothing is buffered: a Content-Length body
     * answers at once; a chunked one reads its last chunk, which the server sends with the data.
     */
    boolean atEnd() throws IOException {
        return this.pos == this.lim && !fill();
    }

    /**
     * Reads the rest of the wire into memory, at most {@link #MAX_REST} bytes with what the inflater still holds,
     * which are handed to it again (at the start, before any header, they stay buffered for it), and returns the
     * last four bytes of the wire as an unsigned number: the last member's decoded size (mod 2^32) as the server
     * announces it; -1 when the wire is longer than that, or has no byte at all. Only the first call reads:
     * later ones (a whole-body read in several {@code readNBytes}) give the same answer.
     */
    long takeRest(Inflation inflation) throws IOException {
        if (this.announced != -2) {
            return this.announced;
        }
        this.announced = announcedBy(inflation);
        return this.announced;
    }

    private long announcedBy(Inflation inflation) throws IOException {
        boolean fresh = this.buffer == null;
        int kept = fresh ? 0 : inflation.remainingInput();
        byte[] all = new byte[Math.max(2 * BUFFER, 2 * kept)];
        if (kept > 0) {
            System.arraycopy(this.buffer, this.lim - kept, all, 0, kept);
        }
        int total = kept;
        boolean ended = false;
        while (!ended) {
            if (total == all.length) {
                if (all.length >= MAX_REST) {
                    break;
                }
                all = Arrays.copyOf(all, Math.min(MAX_REST, 2 * all.length));
            }
            int n = this.wire.read(all, total, all.length - total);
            if (n == -1) {
                ended = true;
            }
            else {
                total += n;
            }
        }
        if (fresh && total == 0) {
            return -1; // an empty wire: the ordinary read says what that is
        }
        this.buffer = all;
        this.pos = 0;
        this.lim = total;
        if (!fresh) {
            feed(inflation);
        }
        if (!ended || total < 4) {
            return -1;
        }
        return (all[total - 4] & 0xff) | (all[total - 3] & 0xff) << 8 | (all[total - 2] & 0xff) << 16
                | (long) (all[total - 1] & 0xff) << 24;
    }

    private long readInt() throws IOException {
        return (nextByte() | (nextByte() << 8) | (nextByte() << 16) | ((long) nextByte() << 24)) & 0xffffffffL;
    }

    private int headerByte(CRC32 crc) throws IOException {
        int b = nextByte();
        crc.update(b);
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
}
