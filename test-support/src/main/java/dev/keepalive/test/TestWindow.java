package dev.keepalive.test;

import dev.keepalive.transport.KeepAliveTransport;

/**
 * One test's claim on one transport: the bodies the transport opens from the test's start to its end are
 * the test's (their ids come after {@link #after}). A window that another test's window overlapped on the
 * same transport cannot tell its bodies from the other test's, which changes what the check may fail on
 * (see the package documentation).
 */
final class TestWindow {

    final KeepAliveTransport transport;
    final BodyWatch watch;
    /** {@link KeepAliveTransport#bodiesOpened()} when the test started: its bodies have larger ids. */
    final long after;
    private volatile boolean overlapped;

    private TestWindow(KeepAliveTransport transport, BodyWatch watch, long after) {
        this.transport = transport;
        this.watch = watch;
        this.after = after;
    }

    /** Opens a window on {@code transport} now; the watch is listening before the first body can open. */
    static TestWindow open(KeepAliveTransport transport) {
        BodyWatch watch = BodyWatch.of(transport);
        TestWindow window = new TestWindow(transport, watch, transport.bodiesOpened());
        watch.enter(window);
        return window;
    }

    /** A window over the transport's whole life, for assertions made outside any test window. */
    static TestWindow wholeLife(KeepAliveTransport transport) {
        return new TestWindow(transport, BodyWatch.of(transport), 0);
    }

    void markOverlapped() {
        this.overlapped = true;
    }

    boolean overlapped() {
        return this.overlapped;
    }
}
