package dev.keepalive.transport;

import java.util.List;

/**
 * An immutable picture of a transport's response bodies: counters by outcome and the bodies still open,
 * oldest first. Counters balance: {@code opened = open + eof + earlyCloseDrained + earlyCloseDiscarded
 * + eofNotClosed + leaked}.
 *
 * @param open bodies not yet finished
 * @param leakSuspects open bodies with no read for the leak-detection threshold
 * @param opened bodies opened so far
 * @param eof bodies read to EOF and closed
 * @param earlyCloseDrained bodies closed early whose rest was drained and connection reused
 * @param earlyCloseDiscarded bodies closed early whose connection was closed unread
 * @param eofNotClosed bodies read to EOF and then dropped without close
 * @param leaked bodies dropped by the application while still open
 * @param lastLeakMillis epoch millis of the last leak, 0 if none
 * @param bodies the open bodies, oldest first
 */
public record BodiesSnapshot(long open, long leakSuspects, long opened, long eof, long earlyCloseDrained,
        long earlyCloseDiscarded, long eofNotClosed, long leaked, long lastLeakMillis, List<BodySnapshot> bodies) {
}
