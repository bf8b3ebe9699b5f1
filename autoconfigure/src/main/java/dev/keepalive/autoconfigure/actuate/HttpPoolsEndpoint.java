package dev.keepalive.autoconfigure.actuate;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.ConnectionSnapshot;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.web.util.UriUtils;

/**
 * {@link Endpoint @Endpoint} {@code httppools}: the keepalive connection pool, totals and one entry per
 * route with its live connections. {@code httppools/{route}} shows one route: {@code scheme://host:port}
 * (through a proxy {@code scheme://host:port via http://proxy:port}), URL-encoded or written out in the path,
 * or {@code scheme:host:port}, or just {@code host:port}. (Tomcat,
 * Spring Boot's default server, answers 400 to an encoded slash in a path, so the URL-encoded form works only
 * where the server lets {@code %2F} through.)
 */
@Endpoint(id = "httppools")
public class HttpPoolsEndpoint {

    /** A scheme at the start, or the proxy's after " via ", with however many slashes the server left. */
    private static final Pattern SCHEME_SLASHES = Pattern.compile("(^|\\s+via\\s+)(https?):/*(?=[^/])",
            Pattern.CASE_INSENSITIVE);

    private final KeepAliveTransport transport;

    /**
     * Creates the endpoint.
     * @param transport the transport to report on
     */
    public HttpPoolsEndpoint(KeepAliveTransport transport) {
        this.transport = transport;
    }

    /**
     * The whole pool.
     * @return {@code totals} and {@code pools}
     */
    @ReadOperation
    public Map<String, Object> pools() {
        PoolSnapshot pool = this.transport.pool();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("totals", totals(pool));
        result.put("pools", pool.routes().stream().map(HttpPoolsEndpoint::route).toList());
        return result;
    }

    /**
     * One route's pool. The route may be given as {@code scheme://host:port} URL-encoded in one path segment
     * (where the server lets encoded slashes through), written out in the path
     * ({@code httppools/http://127.0.0.1:8081}), as {@code scheme:host:port} or as {@code host:port}.
     * @param route the path segments after {@code httppools}
     * @return the route's entry, or {@code null} (404) when the transport has not talked to it
     */
    @ReadOperation
    public Map<String, Object> pool(@Selector(match = Match.ALL_REMAINING) String[] route) {
        return find(this.transport.pool().routes(), String.join("/", route)).map(HttpPoolsEndpoint::route)
            .orElse(null);
    }

    static Optional<RouteSnapshot> find(List<RouteSnapshot> routes, String selector) {
        // A server that lets "%2F" through may hand it over still encoded. Servers that collapse "//" turn
        // "http://host:port" into "http:/host:port"; "http:host:port" avoids slashes altogether.
        String decoded = (selector.indexOf('%') >= 0) ? UriUtils.decode(selector, StandardCharsets.UTF_8) : selector;
        String wanted = SCHEME_SLASHES.matcher(decoded).replaceAll((m) -> m.group(1) + m.group(2) + "://");
        Optional<RouteSnapshot> exact = routes.stream().filter((r) -> r.route().equalsIgnoreCase(wanted)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return routes.stream().filter((r) -> hostPort(r.route()).equalsIgnoreCase(wanted)).findFirst();
    }

    private static String hostPort(String route) {
        int separator = route.indexOf("://");
        return (separator >= 0) ? route.substring(separator + 3) : route;
    }

    static Map<String, Object> totals(PoolSnapshot pool) {
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("active", pool.active());
        totals.put("idle", pool.idle());
        totals.put("waiting", pool.waiting());
        totals.put("opened", pool.opened());
        totals.put("closed", pool.closed());
        totals.put("reused", pool.reused());
        Map<String, Object> closedBy = new LinkedHashMap<>();
        for (CloseReason reason : CloseReason.values()) {
            closedBy.put(reason.key(), pool.closedBy().getOrDefault(reason, 0L));
        }
        totals.put("closedBy", closedBy);
        return totals;
    }

    private static Map<String, Object> route(RouteSnapshot route) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("route", route.route());
        result.put("active", route.active());
        result.put("idle", route.idle());
        result.put("waiting", route.waiting());
        result.put("maxConns", route.maxConns());
        result.put("maxIdleConns", route.maxIdleConns());
        result.put("connections", route.connections().stream().map(HttpPoolsEndpoint::connection).toList());
        return result;
    }

    private static Map<String, Object> connection(ConnectionSnapshot connection) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", connection.id());
        result.put("state", connection.state());
        result.put("localPort", connection.localPort());
        result.put("ageMillis", connection.ageMillis());
        result.put("idleMillis", connection.idleMillis());
        result.put("requests", connection.requests());
        return result;
    }

}
