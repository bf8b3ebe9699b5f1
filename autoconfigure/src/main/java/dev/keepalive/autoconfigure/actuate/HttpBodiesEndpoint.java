package dev.keepalive.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@link Endpoint @Endpoint} {@code httpbodies}: counters of response bodies by outcome, and every body still
 * open, oldest first, with the line of application code that opened it. URIs carry no user-info and their
 * query is replaced by {@code ?…}; no header value is shown.
 */
@Endpoint(id = "httpbodies")
public class HttpBodiesEndpoint {

    private final KeepAliveTransport transport;

    /**
     * Creates the endpoint.
     * @param transport the transport to report on
     */
    public HttpBodiesEndpoint(KeepAliveTransport transport) {
        this.transport = transport;
    }

    /**
     * The bodies.
     * @return {@code totals} and {@code bodies}
     */
    @ReadOperation
    public Map<String, Object> bodies() {
        BodiesSnapshot bodies = this.transport.bodies();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("totals", totals(bodies));
        result.put("bodies", bodies.bodies().stream().map(HttpBodiesEndpoint::body).toList());
        return result;
    }

    static Map<String, Object> totals(BodiesSnapshot bodies) {
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("open", bodies.open());
        totals.put("leakSuspects", bodies.leakSuspects());
        totals.put("opened", bodies.opened());
        totals.put("eof", bodies.eof());
        totals.put("earlyCloseDrained", bodies.earlyCloseDrained());
        totals.put("earlyCloseDiscarded", bodies.earlyCloseDiscarded());
        totals.put("eofNotClosed", bodies.eofNotClosed());
        totals.put("leaked", bodies.leaked());
        return totals;
    }

    private static Map<String, Object> body(BodySnapshot body) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", body.id());
        result.put("method", body.method());
        result.put("uri", body.uri());
        result.put("route", body.route());
        result.put("ageMillis", body.ageMillis());
        result.put("idleMillis", body.idleMillis());
        result.put("bytesRead", body.bytesRead());
        result.put("contentLength", body.contentLength());
        result.put("leakSuspect", body.leakSuspect());
        result.put("openedAt", body.openedAt());
        if (body.stack() != null) {
            result.put("stack", body.stack());
        }
        return result;
    }

}
