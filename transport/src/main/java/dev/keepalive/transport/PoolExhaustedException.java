package dev.keepalive.transport;

import java.io.IOException;

/**
 * A caller waited {@code acquire-timeout} at a route's {@code max-conns-per-host} cap and got no
 * connection. The message names the route, the cap, how many connections are active, idle and waiting,
 * and the oldest open bodies on that route with their age and the line of code that opened them: those
 * are usually the ones holding the connections.
 */
public class PoolExhaustedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String route;

    /**
     * Public so that the pool, in an internal package, can throw it; applications have no reason to.
     *
     * @param route the route whose cap was reached, {@code scheme://host:port}
     * @param message the whole message: the route, the cap, the counts and the oldest open bodies
     */
    public PoolExhaustedException(String route, String message) {
        super(message);
        this.route = route;
    }

    /** The route whose cap was reached, {@code scheme://host:port}. */
    public String route() {
        return this.route;
    }
}
