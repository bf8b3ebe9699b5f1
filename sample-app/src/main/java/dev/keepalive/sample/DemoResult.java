package dev.keepalive.sample;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.keepalive.transport.TrackedResponse;

import org.springframework.http.client.ClientHttpResponse;

/**
 * What a demo route answers: what happened on the wire, and the lesson. Optional parts are left out of the
 * JSON when they do not apply.
 *
 * @param demo the demo's name, e.g. {@code leak}
 * @param route the pool route the demo used, {@code scheme://host:port}, as the actuator shows it
 * @param uri the upstream URI called
 * @param status the upstream's HTTP status, or 503 when no connection could be had
 * @param bytesRead body bytes the demo read
 * @param connectionReused whether the exchange rode a connection that had carried one before (for the
 *        storm: whether any of its calls did); {@code null} when it is not known
 * @param connectionId the number of the connection that carried the exchange, as in
 *        {@code /actuator/httppools}; {@code null} when not known or for the storm
 * @param connectionKept for an early close: whether the connection survived the close (drained and back
 *        in the pool) rather than being closed unread
 * @param calls for the storm: each call that got a connection
 * @param error the diagnostic when the demo could not get a connection (the transport's
 *        {@code PoolExhaustedException} message) or the upstream failed
 * @param lesson one sentence to take away
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DemoResult(String demo, String route, URI uri, int status, long bytesRead, Boolean connectionReused,
        Long connectionId, Boolean connectionKept, List<StormCall> calls, String error, String lesson) {

    /**
     * The result of a single-call demo: status and connection facts from the response.
     *
     * @param demo the demo's name
     * @param route the pool route
     * @param uri the upstream URI called
     * @param response the upstream's response (still open or not: only its status and tracking are read)
     * @param bytesRead body bytes the demo read
     * @param lesson one sentence to take away
     * @return the result
     * @throws IOException if the status cannot be read
     */
    static DemoResult of(String demo, String route, URI uri, ClientHttpResponse response, long bytesRead,
            String lesson) throws IOException {
        TrackedResponse tracked = TrackedResponses.of(response).orElse(null);
        return new DemoResult(demo, route, uri, response.getStatusCode().value(), bytesRead,
                (tracked != null) ? tracked.connectionReused() : null, (tracked != null) ? tracked.connectionId() : null,
                null, null, null, lesson);
    }

    /**
     * One storm call that got a connection and dropped its response.
     *
     * @param call the call's number, from 1
     * @param status the upstream's HTTP status
     * @param connectionId the connection that carried it, now pinned by the dropped body
     * @param connectionReused whether that connection had carried an exchange before
     */
    public record StormCall(int call, int status, Long connectionId, Boolean connectionReused) {
    }

}
