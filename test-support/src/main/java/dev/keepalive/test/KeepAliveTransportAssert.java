package dev.keepalive.test;

import dev.keepalive.transport.KeepAliveTransport;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link KeepAliveTransport}'s response bodies; made by {@link KeepAliveAssertions}.
 */
public final class KeepAliveTransportAssert extends AbstractAssert<KeepAliveTransportAssert, KeepAliveTransport> {

    KeepAliveTransportAssert(KeepAliveTransport actual) {
        super(actual, KeepAliveTransportAssert.class);
    }

    /**
     * Verifies that no response body is open on the transport now: each one has been read to the end and
     * closed, or closed. No garbage collection, no wait: a body dropped but not yet found counts as open.
     */
    public KeepAliveTransportAssert hasNoOpenBodies() {
        isNotNull();
        LeakReport report = LeakCheck.openNow(this.actual);
        if (report.failed()) {
            failWithMessage("%s", report.failureMessage());
        }
        return this;
    }

    /**
     * Verifies that no response body of the transport leaked, over its whole life: bodies still open are
     * given a garbage collection and up to 2 s to be found dropped, then every body dropped unclosed, and
     * every body still open unread, fails the assertion. A body read to the end and never closed is a
     * logged warning, or a failure with {@code keepalive.test.fail-on-eof-not-closed=true}. Leaks found
     * before keepalive-test first looked at this transport (the first {@code assertThat} on it, or a
     * {@link KeepAliveLeakCheck}) are counted, but without their line.
     */
    public KeepAliveTransportAssert hasNoLeaks() {
        isNotNull();
        LeakReport report = LeakCheck.wholeLife(this.actual, CheckOptions.fromSystemProperties());
        if (report.failed()) {
            failWithMessage("%s", report.failureMessage());
        }
        return this;
    }
}
