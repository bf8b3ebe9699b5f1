package dev.keepalive.transport;

import java.util.List;
import java.util.Map;

/**
 * One route's pool (scheme, host and port) at the moment of a {@link PoolSnapshot}.
 *
 * @param route the route as {@code scheme://host:port}
 * @param active connections carrying an exchange (including those still connecting)
 * @param idle connections waiting in the pool
 * @param waiting callers waiting at the per-host cap
 * @param maxConns the per-host total cap, 0 = none
 * @param maxIdleConns the per-host idle cap
 * @param opened connections opened to this route so far
 * @param closed connections to this route closed so far
 * @param reused exchanges carried by an already used connection
 * @param closedBy closed connections by reason, every {@link CloseReason} present
 * @param connections the live connections, oldest first
 */
public record RouteSnapshot(String route, int active, int idle, int waiting, int maxConns, int maxIdleConns,
        long opened, long closed, long reused, Map<CloseReason, Long> closedBy,
        List<ConnectionSnapshot> connections) {
}
