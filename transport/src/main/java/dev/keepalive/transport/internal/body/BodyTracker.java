package dev.keepalive.transport.internal.body;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.BodyOutcome;
import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.StackCapture;
import dev.keepalive.transport.TransportListener;
import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every response body from its headers until it is read to EOF, closed, or dropped. Counts each
 * outcome, lists the open bodies, flags leak suspects (no read for the threshold) and finds leaks: a
 * response that became unreachable with its body open has its connection taken back (when reclaim is
 * on) without waiting for any request, because the {@link Housekeeper} drains the reference queue.
 *
 * <p>Why one class of this size: open, end, listing, suspect sweep and leak reclaim all read and change the
 * same open set and counters, and exactly-once counting is easiest to keep true when one class owns them.
 * The parts with state of their own already live apart: {@link OpenBodies}, {@link SuspectRequests},
 * {@link RequestSites}, {@link Housekeeper}.
 */
public final class BodyTracker {

    private static final Logger log = LoggerFactory.getLogger(BodyTracker.class);

    private final KeepAliveSettings settings;
    private final ReferenceQueue<Object> unreachable = new ReferenceQueue<>();
    private final OpenBodies open = new OpenBodies();
    /** Open bodies flagged as leak suspects: a total read without walking the bodies. */
    private final LongAdder suspects = new LongAdder();
    /** Requests that leaked or were suspects before: their next bodies record the stack. */
    private final SuspectRequests suspectRequests = new SuspectRequests();
    /** Under {@code sampled}: the line recorded for the first body of each request. */
    private final RequestSites requestSites = new RequestSites();
    private final List<TransportListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final LongAdder opened = new LongAdder();
    private final LongAdder[] finished = new LongAdder[BodyOutcome.values().length];
    private final long thresholdNanos;
    private final boolean tracking;
    private volatile long lastLeakMillis;

    public BodyTracker(KeepAliveSettings settings) {
        this.settings = settings;
        this.tracking = settings.leakDetection().trackBodies();
        this.thresholdNanos = settings.leakDetection().threshold().toNanos();
        for (int i = 0; i < this.finished.length; i++) {
            this.finished[i] = new LongAdder();
        }
    }

    public void addListener(TransportListener listener) {
        this.listeners.add(listener);
    }

    /** Bodies opened so far; also the highest id handed out. */
    public long openedCount() {
        return this.nextId.get() - 1;
    }

    /** Bodies open now (unread, or read to EOF and not yet closed or dropped). */
    public int openCount() {
        return this.open.size();
    }

    /**
     * Starts following the body of {@code response}, which the application is about to receive.
     *
     * @param underPressure whether the route is near its cap: then every body records its stack, so that
     *        an exhaustion message can name the lines holding the connections
     */
    public OpenBody open(Object response, String method, URI uri, Route route, long contentLength,
            Lease lease, boolean underPressure) {
        long id = this.nextId.getAndIncrement();
        Throwable origin = null;
        RequestSites.Site known = null;
        if (this.tracking) {
            StackCapture capture = this.settings.leakDetection().captureStack();
            known = capture == StackCapture.SAMPLED ? this.requestSites.find(method, route, uri.getRawPath()) : null;
            if (recordStack(capture, id, method, route, uri, underPressure, known)) {
                origin = new Throwable("opened here");
                if (capture == StackCapture.SAMPLED && known == null) {
                    this.requestSites.remember(method, route, uri.getRawPath(), origin);
                }
            }
        }
        OpenBody body = new OpenBody(id, method, uri, route, contentLength, origin, known, lease, System.nanoTime());
        this.opened.increment();
        if (this.tracking) {
            body.watch = new OpenBody.Unreachable(response, body, this.unreachable);
            this.open.add(body);
        }
        return body;
    }

    /**
     * Whether to record the opening stack. Recording costs about a microsecond and 700 bytes, a sizeable share
     * of a loopback request, so {@code sampled} records it only where it pays: the first body of each request
     * (a later one names that line, see {@link RequestSites}), one body in {@code sample-rate}, every body of
     * a request that leaked or was a suspect before, and every body on a route near its cap. Nothing is
     * recorded while tracking is off: no one could look at it.
     */
    private boolean recordStack(StackCapture capture, long id, String method, Route route, URI uri,
            boolean underPressure, RequestSites.Site known) {
        return switch (capture) {
            case ALWAYS -> true;
            case NEVER -> false;
            case SAMPLED -> (known == null && !this.requestSites.full()) || underPressure
                    || id % this.settings.leakDetection().sampleRate() == 0 || this.suspectRequests.contains(method, route, uri.getRawPath());
        };
    }

    /**
     * Counts how the application finished a body. Called once per body, by the path whose move of the
     * body's phase to {@link OpenBody#DONE} succeeded.
     */
    public void finished(OpenBody body, BodyOutcome outcome) {
        if (retire(body, outcome)) {
            log.info("Leak suspect body {} was closed after all ({}), {} ms after it was opened", body.id,
                    outcome.key(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - body.openedNanos));
        }
    }

    /** Counts the outcome and forgets the body; true if it had been a leak suspect. */
    private boolean retire(OpenBody body, BodyOutcome outcome) {
        Inflation inflation = body.inflation;
        if (inflation != null) {
            inflation.end(); // a leaked gzip body has nobody else to free its inflater
        }
        boolean wasSuspect = false;
        if (body.watch != null) {
            this.open.remove(body);
            wasSuspect = body.retireWasSuspect();
            if (wasSuspect) {
                this.suspects.decrement();
            }
            body.watch.clear();
        }
        this.finished[outcome.ordinal()].increment();
        return wasSuspect;
    }

    /**
     * Handles every response found unreachable since the last call, giving the connections of leaked bodies
     * back to {@code pool} (unless reclaim is off); returns how many.
     */
    int collectUnreachable(long waitMillis, ConnectionPool pool) throws InterruptedException {
        int count = 0;
        Reference<?> ref = waitMillis > 0 ? this.unreachable.remove(waitMillis) : this.unreachable.poll();
        while (ref != null) {
            onUnreachable(((OpenBody.Unreachable) ref).body, pool);
            count++;
            ref = this.unreachable.poll();
        }
        return count;
    }

    private void onUnreachable(OpenBody body, ConnectionPool pool) {
        if (body.advance(OpenBody.AT_EOF, OpenBody.DONE)) {
            retire(body, BodyOutcome.EOF_NOT_CLOSED);
            log.debug("Body {} was read to EOF but never closed; nothing leaked. Opened at {}", body.id,
                    body.openedAt());
            notifyListeners(body, TransportListener::bodyDroppedAtEof);
        }
        else if (body.advance(OpenBody.OPEN, OpenBody.DONE)) {
            // Report, then count, then free the slot: whoever sees the leak counted finds its log line and its
            // JFR event, and whoever gets the freed connection sees the leak counted. Listeners are told after
            // the count, as TransportListener promises.
            this.suspectRequests.add(body.method, body.route, body.uri.getRawPath());
            boolean reclaim = this.settings.leakDetection().reclaim();
            log.error("Response body leaked: the application dropped {} without reading it to the end or closing it;"
                    + " {}. Close every ClientHttpResponse (try-with-resources).{}", body.describe(System.nanoTime()),
                    reclaim ? "its connection is closed and its pool slot freed" : "its connection stays leased (reclaim is off)",
                    stackText(body));
            BodyLeakedEvent.commit(body);
            this.lastLeakMillis = System.currentTimeMillis();
            retire(body, BodyOutcome.LEAKED);
            if (reclaim) {
                pool.release(body.lease, false, 0, CloseReason.LEAK_RECLAIMED);
            }
            notifyListeners(body, TransportListener::bodyLeaked);
        }
    }

    /** Tells the listeners about {@code body}; one that throws is logged and does not stop housekeeping. */
    private void notifyListeners(OpenBody body, BiConsumer<TransportListener, BodySnapshot> event) {
        if (this.listeners.isEmpty()) {
            return;
        }
        BodySnapshot snapshot = body.snapshot(System.nanoTime());
        for (TransportListener listener : this.listeners) {
            try {
                event.accept(listener, snapshot);
            }
            catch (RuntimeException ex) {
                log.warn("A TransportListener failed on body {}; ignored", body.id, ex);
            }
        }
    }

    /**
     * Whether a body of {@code route} could have been dropped: open, no read in progress, and no read for at
     * least {@code nanos}. A body blocked in a read is held by its reader, however slow the stream.
     */
    boolean hasStalledBody(String route, long nanos) {
        long now = System.nanoTime();
        for (OpenBody body : this.open.list()) {
            if (body.phase() == OpenBody.OPEN && now - body.lastReadNanos >= nanos && body.route.name().equals(route)) {
                return true;
            }
        }
        return false;
    }

    /** Flags bodies with no read for the threshold as leak suspects, logging each once. */
    void scanSuspects() {
        if (this.thresholdNanos <= 0) {
            return;
        }
        long now = System.nanoTime();
        for (OpenBody body : this.open.list()) {
            if (!body.suspect() && body.phase() == OpenBody.OPEN && now - body.lastReadNanos >= this.thresholdNanos) {
                // Counted before the mark, so that a retirement racing it never takes the count below zero; a
                // marked body's retirement takes it off again, an unmarked one (retired first) is taken off here.
                this.suspects.increment();
                if (!body.markSuspect()) {
                    this.suspects.decrement();
                    continue;
                }
                this.suspectRequests.add(body.method, body.route, body.uri.getRawPath());
                log.warn("Leak suspect: response body {} has had no read for {} ms. Read it to the end or close it.{}",
                        body.describe(now), TimeUnit.NANOSECONDS.toMillis(now - body.lastReadNanos), stackText(body));
                notifyListeners(body, TransportListener::leakSuspected);
                LeakSuspectEvent.commit(body);
            }
        }
    }

    private static String stackText(OpenBody body) {
        List<String> stack = body.stack();
        if (stack == null && body.openedAtFromRequest()) {
            return " (The opening stack was not recorded for this body: the line is where the first body of the same"
                    + " request (method, route, path) was opened. The next body of this request records its own.)";
        }
        if (stack == null) {
            return " (The opening stack was not recorded; the next body of this request records it.)";
        }
        return "\n\tOpened by:\n\t\tat " + String.join("\n\t\tat ", stack);
    }

    /** The oldest open bodies of {@code route}, for the pool-exhaustion message. */
    public String describeOldest(String route, int max) {
        long now = System.nanoTime();
        List<OpenBody> bodies = new ArrayList<>();
        for (OpenBody body : this.open.list()) {
            if (body.route.name().equals(route) && body.phase() <= OpenBody.READING) {
                bodies.add(body);
            }
        }
        if (bodies.isEmpty()) {
            return " No response body is open on this route: the connections are busy with exchanges in flight"
                    + " (raise max-conns-per-host or acquire-timeout, or look for slow responses).";
        }
        bodies.sort(Comparator.comparingLong((OpenBody b) -> b.id));
        StringBuilder sb = new StringBuilder(" Open response bodies hold connections until they are read to the end"
                + " or closed; ").append(bodies.size()).append(" are open on this route, the oldest:");
        for (OpenBody body : bodies.subList(0, Math.min(max, bodies.size()))) {
            sb.append("\n  ").append(body.describe(now));
        }
        // Stacks are recorded only for some bodies (capture-stack: sampled); name every line that was seen.
        Map<String, Long> lines = new TreeMap<>();
        for (OpenBody body : bodies) {
            String line = body.openedAt();
            if (!line.equals(CallSite.UNKNOWN)) {
                lines.merge(line, 1L, Long::sum);
            }
        }
        if (!lines.isEmpty()) {
            sb.append("\n Lines that opened them, where recorded:");
            lines.forEach((line, count) -> sb.append("\n  ").append(line).append(" (").append(count).append(')'));
        }
        return sb.toString();
    }

    /**
     * The tracker's part of {@link dev.keepalive.transport.TransportTotals}, from running counters: never walks
     * the open bodies.
     */
    public BodyTotals totals() {
        // Finished before open before opened, as in the snapshot: open + finished never exceeds opened.
        long[] done = new long[this.finished.length];
        for (int i = 0; i < done.length; i++) {
            done[i] = this.finished[i].sum();
        }
        long openCount = this.open.size();
        long suspectCount = this.suspects.sum();
        return new BodyTotals(openCount, suspectCount, this.opened.sum(), done, this.lastLeakMillis);
    }

    public record BodyTotals(long open, long suspects, long opened, long[] finished, long lastLeakMillis) {

        public long finished(BodyOutcome outcome) {
            return this.finished[outcome.ordinal()];
        }
    }

    /** How many requests are remembered as leaked or suspect before. */
    int suspectRequestCount() {
        return this.suspectRequests.size();
    }

    public BodiesSnapshot snapshot() {
        long now = System.nanoTime();
        List<OpenBody> bodies = this.open.list();
        bodies.sort(Comparator.comparingLong((OpenBody b) -> b.id));
        List<BodySnapshot> list = new ArrayList<>(bodies.size());
        long suspects = 0;
        for (OpenBody body : bodies) {
            BodySnapshot snapshot = body.snapshot(now);
            suspects += snapshot.leakSuspect() ? 1 : 0;
            list.add(snapshot);
        }
        // Read the finished counters before "opened" so that open + finished never exceeds opened.
        long[] done = new long[this.finished.length];
        for (int i = 0; i < done.length; i++) {
            done[i] = this.finished[i].sum();
        }
        long openedCount = this.opened.sum();
        return new BodiesSnapshot(list.size(), suspects, openedCount, done[BodyOutcome.EOF.ordinal()],
                done[BodyOutcome.EARLY_DRAINED.ordinal()], done[BodyOutcome.EARLY_DISCARDED.ordinal()],
                done[BodyOutcome.EOF_NOT_CLOSED.ordinal()], done[BodyOutcome.LEAKED.ordinal()], this.lastLeakMillis,
                List.copyOf(list));
    }
}
