package dev.keepalive.transport;

/**
 * Why the pool closed a connection. The {@link #key()} strings are the keys of {@code closedBy} in
 * the {@code httppools} actuator endpoint and the {@code reason} tag of the
 * {@code keepalive.connections.closed} meter.
 */
public enum CloseReason {
    /**
     * Idle longer than {@code idle-conn-timeout}, than the server's {@code Keep-Alive: timeout}, or, for a server
     * that announced none, than the pool learned it keeps connections (design §3 rule 16).
     */
    IDLE_TIMEOUT("idle-timeout"),
    /**
     * Released over the per-host idle cap, the least recently used idle connection over the global cap, or an
     * idle or given-back connection closed at {@code max-conns-per-host} to make room for a caller that needs
     * a new one (the retry after a stale connection, or another connection state).
     */
    MAX_IDLE("max-idle"),
    /**
     * The exchange ended the connection: {@code Connection: close} (from the server, or sent by us under
     * {@code disable-keep-alives}), HTTP/1.0 without keep-alive, or the server closed an idle connection.
     */
    SERVER_CLOSE("server-close"),
    /** An I/O or protocol error: reset, body cut short, malformed response, timeout. */
    ERROR("error"),
    /** The body was closed before EOF and the rest was over the drain budget. */
    EARLY_CLOSE("early-close"),
    /** The application dropped the response without closing it; the leak detector took the connection back. */
    LEAK_RECLAIMED("leak-reclaimed"),
    /** Older than {@code max-conn-lifetime}. */
    LIFETIME("lifetime"),
    /** The transport was closed. */
    SHUTDOWN("shutdown");

    private final String key;

    CloseReason(String key) {
        this.key = key;
    }

    /** The lower-case, hyphenated name used in JSON and metric tags. */
    public String key() {
        return this.key;
    }
}
