package dev.keepalive.transport;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable picture of a transport's connection pool: totals across routes and one
 * {@link RouteSnapshot} per route. Counters balance: {@code opened = closed + active + idle}.
 *
 * @param active connections carrying an exchange (including those still connecting)
 * @param idle connections waiting in the pool
 * @param waiting callers waiting at a per-host cap
 * @param opened connections opened so far
 * @param closed connections closed so far
 * @param reused exchanges carried by an already used connection
 * @param closedBy closed connections by reason, every {@link CloseReason} present
 * @param lastAcquireTimeoutMillis epoch millis of the last caller that timed out at a cap, 0 if none
 * @param routes one entry per route the transport has talked to, sorted by route
 */
public record PoolSnapshot(int active, int idle, int waiting, long opened, long closed, long reused,
        Map<CloseReason, Long> closedBy, long lastAcquireTimeoutMillis, List<RouteSnapshot> routes) {

    /** The entry for {@code route} ({@code scheme://host:port}), if the transport has talked to it. */
    public Optional<RouteSnapshot> route(String route) {
        return this.routes.stream().filter((r) -> r.route().equals(route)).findFirst();
    }
}
