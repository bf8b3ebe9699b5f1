package dev.keepalive.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.KeepAliveTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.keepalive.test.LeakReport.Finding;
import dev.keepalive.test.LeakReport.Kind;

/**
 * The check itself, shared by the Spring listener, the JUnit extension and the assertions: at the end of a
 * window, which bodies it opened are still open, leaked, or were read to EOF and never closed.
 *
 * <p>When no body is open and the transport reported no dropped body since the window began, that is all it
 * does: two O(1) reads. Only when bodies of the window are still open does it look at them (a snapshot),
 * ask for a garbage collection and wait, bounded, for the transport to find the ones the test dropped.
 */
final class LeakCheck {

    private static final Logger log = LoggerFactory.getLogger(LeakCheck.class);

    /** Longest pause between two looks while waiting; an event from the transport ends it early. */
    private static final long POLL_NANOS = 20_000_000L;
    /** A collection may miss a reference that became unreachable while it ran: ask again this often. */
    private static final long GC_INTERVAL_NANOS = 250_000_000L;
    /** A body that left the list without an event was closed by someone: stop waiting for its event. */
    private static final long SETTLE_NANOS = 200_000_000L;

    private LeakCheck() {
    }

    /** Ends a test's window; logs the warnings and returns the report (its failures fail the test). */
    static LeakReport end(TestWindow window, CheckOptions options, String test) {
        KeepAliveTransport transport = window.transport;
        long upTo = transport.bodiesOpened();
        window.watch.leave(window);
        if (transport.isClosed()
                || (transport.openBodies() == 0 && window.watch.highestEventId() <= window.after)) {
            return new LeakReport(List.of(), List.of(), false, 0, "", true);
        }
        List<BodySnapshot> stillOpen = awaitCollection(window, upTo, options.collectionWait());
        LeakReport report = classify(window, upTo, stillOpen, options, 0, "opened by this test", true);
        if (!report.warnings().isEmpty()) {
            log.warn(report.warningMessage(test));
        }
        return report;
    }

    /** The transport's whole life: every body still open after a collection, and every leak. */
    static LeakReport wholeLife(KeepAliveTransport transport, CheckOptions options) {
        TestWindow window = TestWindow.wholeLife(transport);
        long upTo = transport.bodiesOpened();
        List<BodySnapshot> stillOpen = awaitCollection(window, upTo, options.collectionWait());
        long watched = window.watch.eventsIn(0, Long.MAX_VALUE).stream()
                .filter((e) -> e.kind() == BodyWatch.Kind.LEAKED).count();
        long unwatched = Math.max(0, transport.bodies().leaked() - watched);
        LeakReport report = classify(window, upTo, stillOpen, options, unwatched, "opened on this transport", false);
        if (!report.warnings().isEmpty()) {
            log.warn(report.warningMessage(null));
        }
        return report;
    }

    /** Every body open on the transport now, as failures; no collection, no wait. */
    static LeakReport openNow(KeepAliveTransport transport) {
        if (transport.openBodies() == 0) {
            return new LeakReport(List.of(), List.of(), false, 0, "", false);
        }
        List<Finding> open = new ArrayList<>();
        for (BodySnapshot body : transport.bodies().bodies()) {
            open.add(new Finding(atEof(body) ? Kind.EOF_OPEN : Kind.OPEN, body));
        }
        return new LeakReport(List.copyOf(open), List.of(), false, 0, "left open on this transport", false);
    }

    /**
     * Asks for collections and waits until every body of the window that was open is either reported
     * dropped by the transport or gone (closed), or the wait is over; returns those still open then.
     */
    private static List<BodySnapshot> awaitCollection(TestWindow window, long upTo, Duration wait) {
        KeepAliveTransport transport = window.transport;
        List<BodySnapshot> current = inWindow(transport, window.after, upTo, null);
        if (current.isEmpty()) {
            return current;
        }
        Set<Long> ids = new HashSet<>();
        current.forEach((body) -> ids.add(body.id()));
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        long nextGc = start;
        long goneSince = 0;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now - nextGc >= 0) {
                    System.gc();
                    nextGc = now + GC_INTERVAL_NANOS;
                }
                current = inWindow(transport, window.after, upTo, ids);
                if (current.isEmpty()) {
                    if (ids.stream().allMatch(window.watch::hasEvent)) {
                        return current;
                    }
                    if (goneSince == 0) {
                        goneSince = now;
                    }
                    else if (now - goneSince >= SETTLE_NANOS) {
                        return current;
                    }
                }
                if (now - deadline >= 0) {
                    return current;
                }
                window.watch.awaitEvent(POLL_NANOS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return current;
        }
    }

    /** The open bodies with {@code after < id <= upTo}, and among {@code ids} when given. */
    private static List<BodySnapshot> inWindow(KeepAliveTransport transport, long after, long upTo, Set<Long> ids) {
        if (transport.openBodies() == 0) {
            return List.of();
        }
        List<BodySnapshot> found = new ArrayList<>();
        for (BodySnapshot body : transport.bodies().bodies()) {
            if (body.id() > after && body.id() <= upTo && (ids == null || ids.contains(body.id()))) {
                found.add(body);
            }
        }
        return found;
    }

    private static LeakReport classify(TestWindow window, long upTo, List<BodySnapshot> stillOpen,
            CheckOptions options, long unwatched, String scope, boolean hintOptOut) {
        Map<Long, Finding> byId = new TreeMap<>();
        for (BodySnapshot body : stillOpen) {
            byId.put(body.id(), new Finding(atEof(body) ? Kind.EOF_OPEN : Kind.HELD_OPEN, body));
        }
        // An event that came after the last look is the later truth about that body.
        for (BodyWatch.Event event : window.watch.eventsIn(window.after, upTo)) {
            Kind kind = event.kind() == BodyWatch.Kind.LEAKED ? Kind.LEAKED : Kind.EOF_DROPPED;
            byId.put(event.body().id(), new Finding(kind, event.body()));
        }
        boolean overlapped = window.overlapped();
        List<Finding> failures = new ArrayList<>();
        List<Finding> warnings = new ArrayList<>();
        for (Finding finding : byId.values()) {
            boolean fails = switch (finding.kind()) {
                case LEAKED -> true;
                case OPEN, HELD_OPEN -> !overlapped;
                case EOF_DROPPED, EOF_OPEN -> options.failOnEofNotClosed();
            };
            (fails ? failures : warnings).add(finding);
        }
        return new LeakReport(List.copyOf(failures), List.copyOf(warnings), overlapped, unwatched, scope, hintOptOut);
    }

    /**
     * Whether a body still open was read to its end. Only a declared length tells from a snapshot; a body
     * without one (chunked) that the test still holds, read to the end or not, counts as open.
     */
    private static boolean atEof(BodySnapshot body) {
        return body.contentLength() >= 0 && body.bytesRead() >= body.contentLength();
    }
}
