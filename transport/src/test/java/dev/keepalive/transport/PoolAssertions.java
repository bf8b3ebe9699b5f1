package dev.keepalive.transport;

import static org.assertj.core.api.Assertions.assertThat;

/** The counters of design §3 rule 14, checked after a test. */
final class PoolAssertions {

    private PoolAssertions() {
    }

    /** Connections opened = closed + alive; bodies opened = finished by each outcome + still open. */
    static void assertBalanced(KeepAliveTransport transport) {
        PoolSnapshot pool = transport.pool();
        assertThat(pool.opened()).as("connections opened = closed + active + idle")
                .isEqualTo(pool.closed() + pool.active() + pool.idle());
        long closedByReason = pool.closedBy().values().stream().mapToLong(Long::longValue).sum();
        assertThat(closedByReason).as("closedBy sums to closed").isEqualTo(pool.closed());
        BodiesSnapshot bodies = transport.bodies();
        assertThat(bodies.opened()).as("bodies opened = open + finished by each outcome")
                .isEqualTo(bodies.open() + bodies.eof() + bodies.earlyCloseDrained() + bodies.earlyCloseDiscarded()
                        + bodies.eofNotClosed() + bodies.leaked());
    }
}
