package dev.keepalive.transport;

/**
 * The transport's running totals, read in constant time whatever the number of routes, connections and
 * open bodies: what health checks and metric gauges poll. Unlike {@link PoolSnapshot} and
 * {@link BodiesSnapshot} it lists nothing, so reading it never walks the open bodies or their stacks.
 * Counters balance as in the snapshots: {@code opened = closed + active + idle} for connections and
 * {@code bodiesOpened = openBodies + eof + earlyCloseDrained + earlyCloseDiscarded + eofNotClosed + leaked}
 * for bodies (each group read at one moment, the two groups one after the other).
 *
 * @param active connections carrying an exchange (including those still connecting)
 * @param idle connections waiting in the pool
 * @param waiting callers waiting at a per-host cap
 * @param opened connections opened so far
 * @param closed connections closed so far
 * @param longestWaitMillis how long the caller that has waited longest at a cap has been waiting, 0 if none
 * @param lastAcquireTimeoutMillis epoch millis of the last caller that timed out at a cap, 0 if none
 * @param openBodies bodies not yet finished
 * @param leakSuspects open bodies with no read for the leak-detection threshold
 * @param bodiesOpened bodies opened so far
 * @param eof bodies read to EOF and closed
 * @param earlyCloseDrained bodies closed early whose rest was drained and connection reused
 * @param earlyCloseDiscarded bodies closed early whose connection was closed unread
 * @param eofNotClosed bodies read to EOF and then dropped without close
 * @param leaked bodies dropped by the application while still open
 * @param lastLeakMillis epoch millis of the last leak, 0 if none
 */
public record TransportTotals(int active, int idle, int waiting, long opened, long closed, long longestWaitMillis,
        long lastAcquireTimeoutMillis, long openBodies, long leakSuspects, long bodiesOpened, long eof,
        long earlyCloseDrained, long earlyCloseDiscarded, long eofNotClosed, long leaked, long lastLeakMillis) {
}
