package dev.keepalive.transport.internal.pool;

import java.util.concurrent.TimeUnit;

/**
 * A route's server idle timeout, learned when the server does not announce one (design §3 rule 16).
 *
 * <p>The idle check keeps requests out of connections whose close has arrived, but not out of one the server
 * is closing at that very instant: a request written then crosses the close on the wire, and a POST cannot
 * be sent again. A server that sends no {@code Keep-Alive: timeout} still shows its timeout: a connection
 * found closed by the server after idle {@code t} proves the timeout is at most {@code t}, and one reused
 * successfully after idle {@code t} proves it is longer. The smallest recent close age less a margin
 * ({@link #limitNanos}) is how long the route's connections may then stay idle: they are retired before the
 * server's timer fires instead of at it. Go's transport does not do this (it loses about one POST in 150 that way against a
 * server with a 1 s timeout and requests about 1 s apart).
 *
 * <p>What is learned is forgotten when a connection is reused successfully after idle at least as long (the
 * close was an outlier, such as a server restart or one connection dropped by a middlebox), and in any case
 * {@link #FORGET_NANOS} after it was observed, so that a wrong lesson costs new connections for a few minutes
 * at worst. Closes after less than {@link #MIN_OBSERVED_NANOS} teach nothing: no timeout is that short in
 * practice, and learning one would keep every connection of the route from being reused.
 *
 * <p>Not thread-safe: its route's pool lock guards it.
 */
final class LearnedIdleTimeout {

    /** How long an observation is kept when nothing confirms or contradicts it. */
    static final long FORGET_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** The shortest idle age at which a server's close is taken for its timeout. */
    static final long MIN_OBSERVED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The smallest margin left before the learned timeout: scheduling and timer slack on both ends. */
    static final long MIN_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * The smallest recent idle age at which the server was found to have closed a connection; 0 when nothing is
     * known.
     */
    private long closedAfterNanos;
    private long observedAtNanos;

    /** A connection was found closed by the server (FIN, reset, TLS close) after being idle {@code idleNanos}. */
    void closedAfter(long idleNanos, long now) {
        if (idleNanos < MIN_OBSERVED_NANOS) {
            return;
        }
        if (this.closedAfterNanos == 0 || idleNanos < this.closedAfterNanos || now - this.observedAtNanos >= FORGET_NANOS) {
            this.closedAfterNanos = idleNanos;
            this.observedAtNanos = now;
        }
    }

    /** A connection idle for {@code idleNanos} carried an exchange to its end: the server keeps them that long. */
    void reusedAfter(long idleNanos) {
        if (this.closedAfterNanos != 0 && idleNanos >= this.closedAfterNanos) {
            this.closedAfterNanos = 0; // the close was an outlier
        }
    }

    /**
     * How long a connection of the route released now may stay idle: the learned timeout less an eighth of it
     * (at least {@link #MIN_MARGIN_NANOS}), or {@code Long.MAX_VALUE} when nothing is known. The margin is wide
     * because what it must cover is wide: the close may have been seen late (by the housekeeper's sweep, or by a
     * request long after it), and the pool's idle clock starts when the client thread gets the connection back,
     * which on a loaded machine can be tens of milliseconds after the server's clock started. (A margin of
     * 20 ms below the longest successful reuse still let a POST cross nginx's close at 276 of 300 ms, under a
     * load average of 16 on two cores.)
     */
    long limitNanos(long now) {
        long closed = this.closedAfterNanos;
        if (closed == 0) {
            return Long.MAX_VALUE;
        }
        if (now - this.observedAtNanos >= FORGET_NANOS) {
            this.closedAfterNanos = 0;
            return Long.MAX_VALUE;
        }
        return closed - Math.max(closed / 8, MIN_MARGIN_NANOS);
    }
}
