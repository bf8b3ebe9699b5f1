package dev.keepalive.transport;

/** How a request got its connection; the {@code outcome} tag of {@code keepalive.connections.acquire}. */
public enum AcquireOutcome {
    /** An idle pooled connection was reused at once. */
    IDLE("idle"),
    /** A new connection was opened without waiting. */
    NEW("new"),
    /** The caller waited at the per-host cap, then got a connection. */
    WAITED("waited"),
    /** The caller waited at the per-host cap until {@code acquire-timeout} and failed. */
    TIMEOUT("timeout");

    private final String key;

    AcquireOutcome(String key) {
        this.key = key;
    }

    /** The lower-case name used in metric tags. */
    public String key() {
        return this.key;
    }
}
