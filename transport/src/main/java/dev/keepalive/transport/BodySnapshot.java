package dev.keepalive.transport;

import java.util.List;

/**
 * One response body still open, at the moment of a {@link BodiesSnapshot}.
 *
 * @param id the body's number, unique within the transport
 * @param method the request method
 * @param uri the request URI without user-info, its query replaced by {@code ?…}
 * @param route the route, {@code scheme://host:port}
 * @param ageMillis time since the response headers arrived
 * @param idleMillis time since the application last read from the body
 * @param bytesRead body bytes handed to the application
 * @param contentLength the declared length, -1 when unknown (chunked or read to close)
 * @param leakSuspect whether it has had no read for the leak-detection threshold
 * @param openedAt the first stack frame outside the JDK, Spring, Apache HttpClient and keepalive, or
 *        {@code "unknown"}
 * @param stack the whole opening stack, or {@code null} when it was not captured
 */
public record BodySnapshot(long id, String method, String uri, String route, long ageMillis, long idleMillis,
        long bytesRead, long contentLength, boolean leakSuspect, String openedAt, List<String> stack) {
}
