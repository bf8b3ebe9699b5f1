package dev.keepalive.test;

import dev.keepalive.transport.KeepAliveRequestFactory;
import dev.keepalive.transport.KeepAliveTransport;

/**
 * AssertJ-style entry points for a keepalive transport's response bodies, for tests without Spring or
 * with a transport of their own:
 *
 * <pre>{@code
 * import static dev.keepalive.test.KeepAliveAssertions.assertThat;
 *
 * assertThat(transport).hasNoOpenBodies();
 * assertThat(factory).hasNoLeaks();
 * }</pre>
 *
 * The failure messages are those of the per-test check (see the package documentation).
 */
public final class KeepAliveAssertions {

    private KeepAliveAssertions() {
    }

    /** Assertions on the bodies of {@code transport}. */
    public static KeepAliveTransportAssert assertThat(KeepAliveTransport transport) {
        return new KeepAliveTransportAssert(transport);
    }

    /** Assertions on the bodies of the transport behind {@code factory}. */
    public static KeepAliveTransportAssert assertThat(KeepAliveRequestFactory factory) {
        return new KeepAliveTransportAssert(factory != null ? factory.transport() : null);
    }
}
