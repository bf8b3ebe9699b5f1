package dev.keepalive.transport.internal.body;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.internal.UriRedactor;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.Route;

/**
 * The tracker's record of one response body, from its headers to its end. It never refers to the
 * application's objects (the response and its stream), only to the lease of its connection, so that the
 * response can become unreachable while the body is open: that is how a leak is found.
 *
 * <p>Its phase is the one place where the paths that end a body meet: reads, EOF, close, drain, a failure
 * and the leak detector each move it by compare-and-set, and only the path whose move succeeded counts the
 * outcome and gives the connection back. {@code OPEN -> READING} is taken by whoever reads the wire (the
 * application's read or a drain), so that a close on another thread sees the read in progress and ends
 * it ({@code READING -> DONE}, which closes the socket under the reader) instead of reading alongside it.
 */
public final class OpenBody {

    /** Not being read at the moment, not finished. */
    public static final int OPEN = 0;
    /** A thread is reading the wire (the application's read, or the drain of a close). */
    public static final int READING = 1;
    /** Read to EOF: the connection is back in the pool, but the application has not closed the body yet. */
    public static final int AT_EOF = 2;
    /** Finished and counted. */
    public static final int DONE = 3;

    /** In {@link #flags}: flagged as a leak suspect. */
    private static final int SUSPECT = 1;
    /** In {@link #flags}: retired by the tracker (counted, out of the open bodies). */
    private static final int RETIRED = 2;

    private static final VarHandle PHASE;
    private static final VarHandle FLAGS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PHASE = lookup.findVarHandle(OpenBody.class, "phase", int.class);
            FLAGS = lookup.findVarHandle(OpenBody.class, "flags", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final long id;
    final String method;
    final URI uri;
    final Route route;
    final long openedNanos;
    public final long contentLength;
    /** The stack at opening when it was recorded, else null; turned into text only when looked at. */
    private final Throwable origin;
    private volatile CallSite site;
    /** Where an earlier body of the same request was opened, when this body recorded no stack; else null. */
    private final RequestSites.Site requestSite;
    /** The lease of the connection that carries the body; given back through the pool, once. */
    final Lease lease;

    private volatile int phase = OPEN;
    public volatile long bytesRead;
    volatile long lastReadNanos;
    /**
     * {@link #SUSPECT} and {@link #RETIRED}: the housekeeper flags a suspect and the tracker retires a body on
     * different threads, and the count of suspects must go up and down once each, whichever comes first.
     */
    private volatile int flags;

    /** The native state of a decoded (gzip) body, freed when the body ends in any way; null for others. */
    volatile Inflation inflation;

    /** The phantom reference that tells when the application dropped the response. */
    Unreachable watch;

    /** Links in {@link OpenBodies}, guarded by the lock of the body's stripe there. */
    OpenBody prev;
    OpenBody next;
    boolean linked;

    OpenBody(long id, String method, URI uri, Route route, long contentLength, Throwable origin,
            RequestSites.Site requestSite, Lease lease, long now) {
        this.id = id;
        this.method = method;
        this.uri = uri;
        this.route = route;
        this.contentLength = contentLength;
        this.origin = origin;
        this.requestSite = origin == null ? requestSite : null;
        this.lease = lease;
        this.openedNanos = now;
        this.lastReadNanos = now;
    }

    public int phase() {
        return this.phase;
    }

    /** Moves from {@code from} to {@code to}; false if another path got there first. */
    public boolean advance(int from, int to) {
        return PHASE.compareAndSet(this, from, to);
    }

    /** Flags the body as a leak suspect; false if it was flagged before or is retired already. */
    boolean markSuspect() {
        return FLAGS.compareAndSet(this, 0, SUSPECT);
    }

    boolean suspect() {
        return (this.flags & SUSPECT) != 0;
    }

    /** Marks the body retired; true if it had been flagged as a suspect (the caller takes it off the count). */
    boolean retireWasSuspect() {
        return ((int) FLAGS.getAndBitwiseOr(this, RETIRED) & SUSPECT) != 0;
    }

    /**
     * The opening application frame; when this body's stack was not recorded, the one recorded for the first
     * body of the same request; else {@code "unknown"}.
     */
    String openedAt() {
        CallSite resolved = site();
        if (resolved != null) {
            return resolved.openedAt();
        }
        return this.requestSite != null ? this.requestSite.openedAt() : CallSite.UNKNOWN;
    }

    /** Whether {@link #openedAt()} is the line recorded for this body's request, not for this body. */
    boolean openedAtFromRequest() {
        return this.origin == null && this.requestSite != null;
    }

    /** The opening stack from the application frame down, or null when it was not recorded. */
    List<String> stack() {
        CallSite resolved = site();
        return resolved != null ? resolved.stack() : null;
    }

    private CallSite site() {
        if (this.origin == null) {
            return null;
        }
        CallSite resolved = this.site;
        if (resolved == null) {
            resolved = CallSite.of(this.origin);
            this.site = resolved;
        }
        return resolved;
    }

    String describe(long now) {
        return "#" + this.id + " " + this.method + " " + UriRedactor.redact(this.uri) + ", open "
                + TimeUnit.NANOSECONDS.toMillis(now - this.openedNanos) + " ms, " + this.bytesRead + " bytes read"
                + ", opened at " + openedAt();
    }

    BodySnapshot snapshot(long now) {
        return new BodySnapshot(this.id, this.method, UriRedactor.redact(this.uri), this.route.name(),
                TimeUnit.NANOSECONDS.toMillis(now - this.openedNanos),
                TimeUnit.NANOSECONDS.toMillis(now - this.lastReadNanos), this.bytesRead, this.contentLength,
                suspect(), openedAt(), stack());
    }

    /** Enqueued once the response it watches is unreachable; holds the record, never the response. */
    static final class Unreachable extends PhantomReference<Object> {

        final OpenBody body;

        Unreachable(Object response, OpenBody body, ReferenceQueue<Object> queue) {
            super(response, queue);
            this.body = body;
        }
    }
}
