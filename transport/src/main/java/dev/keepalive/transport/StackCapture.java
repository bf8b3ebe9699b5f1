package dev.keepalive.transport;

/**
 * When the body tracker records the stack that opened a response body, from which it shows
 * {@code openedAt} (the application's line) and {@code stack}. Recording costs about a microsecond per
 * body, a few per cent of a loopback request, hence the sampling.
 */
public enum StackCapture {
    /** Never: {@code openedAt} is {@code "unknown"}. */
    NEVER,
    /**
     * One body in {@code sample-rate}; every body of a request (method, route, path) that has leaked or
     * been a leak suspect before, so the next leak from a line comes with its stack; and every body opened
     * while its route is near its {@code max-conns-per-host} cap, so that an exhaustion names the lines.
     */
    SAMPLED,
    /** Every body. Costly; for hunting a leak. */
    ALWAYS
}
