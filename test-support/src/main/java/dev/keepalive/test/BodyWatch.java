package dev.keepalive.test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.TransportListener;

/**
 * What one transport told the leak check: the bodies it found dropped (leaked, or read to EOF and never
 * closed), each with its snapshot, and which tests are running on it now. A body found dropped is gone from
 * the transport's list of open bodies, so this record is the only place a test can learn its line from.
 * One per transport, registered as its listener the first time a test looks at it, and kept no longer than
 * the transport is.
 */
final class BodyWatch implements TransportListener {

    /** Enough for any test's window; the oldest go first when a run drops more. */
    private static final int MAX_EVENTS = 10_000;

    private static final ReentrantLock REGISTRY_LOCK = new ReentrantLock();
    /** Weak keys: a watch must not keep a closed context's transport alive (the watch never refers to it). */
    private static final Map<KeepAliveTransport, BodyWatch> REGISTRY = new WeakHashMap<>();

    /** How the transport found a body dropped. */
    enum Kind {
        LEAKED, DROPPED_AT_EOF
    }

    /** One body the transport found dropped. */
    record Event(Kind kind, BodySnapshot body) {
    }

    private final ConcurrentSkipListMap<Long, Event> events = new ConcurrentSkipListMap<>();
    private final AtomicInteger eventCount = new AtomicInteger();
    private final AtomicLong highestEventId = new AtomicLong();
    private final Set<TestWindow> running = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = this.lock.newCondition();

    private BodyWatch() {
    }

    /** The watch of {@code transport}, registering it as the transport's listener the first time. */
    static BodyWatch of(KeepAliveTransport transport) {
        REGISTRY_LOCK.lock();
        try {
            BodyWatch watch = REGISTRY.get(transport);
            if (watch == null) {
                watch = new BodyWatch();
                transport.addListener(watch);
                REGISTRY.put(transport, watch);
            }
            return watch;
        }
        finally {
            REGISTRY_LOCK.unlock();
        }
    }

    @Override
    public void bodyLeaked(BodySnapshot body) {
        record(new Event(Kind.LEAKED, body));
    }

    @Override
    public void bodyDroppedAtEof(BodySnapshot body) {
        record(new Event(Kind.DROPPED_AT_EOF, body));
    }

    private void record(Event event) {
        this.events.put(event.body().id(), event);
        this.highestEventId.accumulateAndGet(event.body().id(), Math::max);
        if (this.eventCount.incrementAndGet() > MAX_EVENTS && this.events.pollFirstEntry() != null) {
            this.eventCount.decrementAndGet();
        }
        this.lock.lock();
        try {
            this.arrived.signalAll();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The highest body id of any event so far, 0 if none: an O(1) "nothing happened in my window". */
    long highestEventId() {
        return this.highestEventId.get();
    }

    /** The events of bodies with {@code after < id <= upTo}, by id. */
    Collection<Event> eventsIn(long after, long upTo) {
        return this.events.subMap(after, false, upTo, true).values();
    }

    /** Whether an event arrived for the body {@code id}. */
    boolean hasEvent(long id) {
        return this.events.containsKey(id);
    }

    /** Waits up to {@code nanos} for the next event; returns early when one arrives. */
    void awaitEvent(long nanos) throws InterruptedException {
        this.lock.lock();
        try {
            this.arrived.awaitNanos(nanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Records that {@code window}'s test started on this transport. Whichever of two overlapping tests
     * enters second sees the first in the set and marks both, so an overlap is never missed.
     */
    void enter(TestWindow window) {
        this.running.add(window);
        List<TestWindow> others = new ArrayList<>(this.running);
        others.remove(window);
        if (!others.isEmpty()) {
            window.markOverlapped();
            others.forEach(TestWindow::markOverlapped);
        }
    }

    void leave(TestWindow window) {
        this.running.remove(window);
    }
}
