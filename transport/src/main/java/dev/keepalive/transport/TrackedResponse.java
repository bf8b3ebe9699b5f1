package dev.keepalive.transport;

/**
 * What keepalive knows about the exchange behind a response. Every {@code ClientHttpResponse} made by a
 * keepalive request factory implements it; Spring wrappers (such as RestClient's) may hide it.
 */
public interface TrackedResponse {

    /** The number of the connection that carried the exchange (see {@link ConnectionSnapshot#id()}). */
    long connectionId();

    /** Whether that connection had carried an exchange before this one. */
    boolean connectionReused();

    /** The number of the tracked body (see {@link BodySnapshot#id()}), or -1 for a response without body. */
    long bodyId();
}
