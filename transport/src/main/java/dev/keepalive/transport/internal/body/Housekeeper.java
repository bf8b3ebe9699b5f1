package dev.keepalive.transport.internal.body;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's one background thread: takes back the connections of leaked bodies as soon as the
 * garbage collector finds them, closes expired idle connections and those the server closed, and flags leak
 * suspects, so that none of this waits for the next request.
 */
public final class Housekeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);
    private static final AtomicInteger COUNT = new AtomicInteger();
    /** Shortest time between two collection requests; doubled after each that found nothing. */
    static final long NUDGE_INTERVAL_NANOS = 5_000_000_000L;
    /** Longest back-off between two collection requests. */
    static final long MAX_NUDGE_INTERVAL_NANOS = 320_000_000_000L;

    /**
     * How often idle connections are checked for the server's close (design §3 rule 16). The check before
     * reuse already keeps requests out of closed connections; the sweep makes closed ones leave the pool (and
     * their sockets close, and the count show) without waiting for a request. A check is three system calls,
     * so sweeping 256 idle connections four times a second costs about a millisecond of CPU per second.
     */
    public static final long IDLE_CHECK_MILLIS = 250;

    private final ConnectionPool pool;
    private final BodyTracker tracker;
    private final long tickMillis;
    private final boolean reclaim;
    private final long starvedNanos;
    // Written and read by the housekeeping thread only.
    private final CollectionBackoff backoff = new CollectionBackoff(NUDGE_INTERVAL_NANOS, MAX_NUDGE_INTERVAL_NANOS);
    private long leaksFoundSinceNudge;
    /** Collections requested so far (read by tests). */
    private volatile long collectionRequests;
    private final Thread thread;
    private volatile boolean stopped;

    public Housekeeper(KeepAliveSettings settings, ConnectionPool pool, BodyTracker tracker) {
        this.pool = pool;
        this.tracker = tracker;
        this.tickMillis = tickMillis(settings);
        this.reclaim = settings.leakDetection().reclaim() && settings.leakDetection().trackBodies();
        // Waiting a quarter of acquire-timeout (at most 1 s) at a cap while bodies sit unread: starved.
        this.starvedNanos = Math.max(50_000_000L, Math.min(1_000_000_000L, settings.pool().acquireTimeout().toNanos() / 4));
        this.thread = new Thread(this::run, "keepalive-housekeeper-" + COUNT.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** A quarter of the shortest timer it serves, between 10 ms and 1 s. */
    static long tickMillis(KeepAliveSettings settings) {
        long shortest = Long.MAX_VALUE;
        for (Duration d : new Duration[] { settings.pool().idleConnTimeout(), settings.leakDetection().threshold(),
                settings.pool().maxConnLifetime() }) {
            if (!d.isZero()) {
                shortest = Math.min(shortest, d.toMillis());
            }
        }
        return Math.max(10, Math.min(1000, shortest / 4));
    }

    public void start() {
        this.thread.start();
    }

    private void run() {
        long nextTick = System.nanoTime();
        long nextCheck = nextTick;
        while (!this.stopped) {
            try {
                long next = nextTick - nextCheck <= 0 ? nextTick : nextCheck;
                long waitMillis = Math.max(1, (next - System.nanoTime()) / 1_000_000);
                this.leaksFoundSinceNudge += this.tracker.collectUnreachable(waitMillis, this.pool);
                long now = System.nanoTime();
                boolean tick = now - nextTick >= 0;
                boolean check = now - nextCheck >= 0;
                if (tick || check) {
                    this.pool.evictExpired(); // first: no point checking a connection that expired anyway
                }
                if (check) {
                    this.pool.checkIdle();
                    nextCheck = System.nanoTime() + IDLE_CHECK_MILLIS * 1_000_000;
                }
                if (tick) {
                    this.tracker.scanSuspects();
                    requestCollectionIfLeaksStarveCallers();
                    nextTick = System.nanoTime() + this.tickMillis * 1_000_000;
                }
            }
            catch (InterruptedException ex) {
                return;
            }
            catch (RuntimeException ex) {
                log.warn("keepalive housekeeping failed; continuing", ex);
            }
        }
    }

    /**
     * Dropped responses are found only when the garbage collector runs. When callers wait at a cap while
     * bodies of that route sit unread with no read in progress (a body being read, however slowly, is not
     * dropped), the pool is probably pinned by leaks, and the waiting callers allocate nothing that would
     * bring a collection about: ask for one, so that a leak costs a short wait and a log line instead of an
     * outage. A full collection is a long pause on a large heap, so it is asked for at most every 5 s, and
     * each time the previous one found no dropped response the wait doubles (up to about 5 minutes): a slow
     * consumer at the cap does not cost a collection every few seconds. Does nothing under
     * {@code -XX:+DisableExplicitGC}.
     */
    private void requestCollectionIfLeaksStarveCallers() {
        if (!this.reclaim) {
            return;
        }
        long now = System.nanoTime();
        if (!this.backoff.due(now)) {
            return;
        }
        for (String route : this.pool.routesWaitingLongerThan(this.starvedNanos)) {
            if (this.tracker.hasStalledBody(route, this.starvedNanos)) {
                this.backoff.requested(now, this.leaksFoundSinceNudge > 0);
                this.leaksFoundSinceNudge = 0;
                this.collectionRequests++;
                log.info("Callers wait at the connection cap of {} while its response bodies go unread; requesting a"
                        + " garbage collection to find dropped responses (the next one in {} s at the earliest)",
                        route, this.backoff.intervalNanos() / 1_000_000_000L);
                System.gc();
                return;
            }
        }
    }

    /** How many garbage collections it has requested. */
    public long collectionRequests() {
        return this.collectionRequests;
    }

    @Override
    public void close() {
        this.stopped = true;
        this.thread.interrupt();
        try {
            this.thread.join(5000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
