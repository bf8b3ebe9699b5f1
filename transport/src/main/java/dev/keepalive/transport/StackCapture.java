package dev.keepalive.transport;

/**
 * When the body tracker records the stack that opened a response body, from which it shows
 * {@code openedAt} (the application's line) and {@code stack}. Recording costs about a microsecond and
 * 700 bytes per body, a few per cent of a loopback request, hence the sampling.
 */
public enum StackCapture {
    /** Never: {@code openedAt} is {@code "unknown"}. */
    NEVER,
    /**
     * The first body of each request (method, route, path with its numeric segments as one); one body in
     * {@code sample-rate}; every body of a request that has leaked or been a leak suspect before, so the next
     * leak from a line comes with its stack; and every body opened while its route is near its
     * {@code max-conns-per-host} cap, so that an exhaustion names the lines. A body that recorded nothing
     * shows as {@code openedAt} the line recorded for the first body of its request (without {@code stack}),
     * so that even the first leak of a request names a line. Up to 1024 requests are remembered.
     */
    SAMPLED,
    /** Every body. Costly; for hunting a leak. */
    ALWAYS
}
