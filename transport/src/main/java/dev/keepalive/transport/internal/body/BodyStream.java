package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the two body streams ({@link TrackedBody} and {@link GzipBody}) read the same way: the one-byte
 * {@link #read()} goes through the array read, so every rule of a read (phases, the end of the body, failures,
 * reachability) is written once, in {@link #readBody}; and {@link #mark} and {@link #reset} keep the bytes read
 * since the mark, so that {@code RestClient}'s look at the first byte (mark, read one byte, reset) needs no
 * {@code PushbackInputStream} around the stream and the stream's own whole-body reads ({@link #readNBytes}) are the
 * ones that run.
 * Arrays are made on first use: most bodies are read in bulk and never need them.
 */
abstract class BodyStream extends InputStream {

    /** The most {@link #oneArray} allocates before the bytes arrive: a length is only the server's word. */
    static final int MAX_FIRST_ALLOCATION = 1024 * 1024;

    private byte[] one;
    /** The bytes read since {@link #mark}, to be read again after {@link #reset}; null when no mark is valid. */
    private byte[] marked;
    /** How many bytes {@link #marked} holds, and where the next read takes them from (= count: none to replay). */
    private int markedCount;
    private int markedPos;
    private int markLimit;

    @Override
    public final int read() throws IOException {
        if (this.one == null) {
            this.one = new byte[1];
        }
        int n = read(this.one, 0, 1);
        return n == -1 ? -1 : this.one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (this.markedPos < this.markedCount && !closed()) {
            return replay(b, off, len);
        }
        int n = readBody(b, off, len);
        if (n > 0 && this.marked != null) {
            remember(b, off, n);
        }
        return n;
    }

    /** Reads bytes of the body itself (none replayed); {@code b}, {@code off} and {@code len} are checked. */
    abstract int readBody(byte[] b, int off, int len) throws IOException;

    /** Whether the stream was closed: it then replays nothing and reads as its subclass says. */
    abstract boolean closed();

    /** The request, for messages. */
    abstract String describe();

    @Override
    public final byte[] readAllBytes() throws IOException {
        return readNBytes(Integer.MAX_VALUE);
    }

    /**
     * A whole-body read (what Spring's {@code ByteArrayHttpMessageConverter} calls): each stream fills one array of
     * the length it knows ({@link #oneArray}), or reads as the JDK does ({@link #readPieces}) when it knows none.
     */
    @Override
    public final byte[] readNBytes(int len) throws IOException {
        if (len < 0) {
            throw new IllegalArgumentException("len < 0");
        }
        return readWhole(len);
    }

    /** Reads up to {@code len} bytes, all there are when fewer; {@code len} is not negative. */
    abstract byte[] readWhole(int len) throws IOException;

    /** The JDK's whole-body read: 8 KiB pieces copied together at the end. */
    final byte[] readPieces(int len) throws IOException {
        return super.readNBytes(len);
    }

    /**
     * Reads up to {@code limit} bytes into one array of {@code first} bytes (at most {@link #MAX_FIRST_ALLOCATION}
     * before the bytes arrive), each read asking for all the array has room for. Full before {@code limit}, the
     * array grows (doubled) only if one more byte comes: so a length announced right costs that one array.
     */
    final byte[] oneArray(int first, int limit) throws IOException {
        byte[] out = new byte[Math.min(first, MAX_FIRST_ALLOCATION)];
        int filled = 0;
        while (filled < limit) {
            if (filled == out.length) {
                int next = read();
                if (next == -1) {
                    break;
                }
                out = Arrays.copyOf(out, (int) Math.min(limit, Math.max(2L * out.length, 8192)));
                out[filled++] = (byte) next;
                continue;
            }
            int n = read(out, filled, out.length - filled);
            if (n == -1) {
                break;
            }
            filled += n;
        }
        return filled == out.length ? out : Arrays.copyOf(out, filled);
    }

    /** How many bytes read since the mark a read gives again before it reads on. */
    final int toReplay() {
        return closed() ? 0 : this.markedCount - this.markedPos;
    }

    @Override
    public final boolean markSupported() {
        return true;
    }

    /**
     * Keeps the bytes read from now on, up to {@code readlimit} of them, so that {@link #reset} can give them
     * again. Reading more than that drops the mark.
     */
    @Override
    public final void mark(int readlimit) {
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
    public final void reset() throws IOException {
        if (this.marked == null) {
            throw new IOException("Resetting the body of " + describe()
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

    /** Keeps bytes just read after a mark; past the mark's limit the mark is dropped. */
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
}
