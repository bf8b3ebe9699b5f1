package dev.keepalive.transport;

/** When the body tracker records the full stack that opened a response body. */
public enum StackCapture {
    /** Never: only the opening application frame ({@code openedAt}) is recorded. */
    NEVER,
    /** One body in {@code sample-rate}, and every body opened from a call site that has leaked before. */
    SAMPLED,
    /** Every body. Costly; for hunting a leak. */
    ALWAYS
}
