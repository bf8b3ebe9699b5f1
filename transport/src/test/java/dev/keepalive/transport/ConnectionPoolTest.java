package dev.keepalive.transport;

import java.io.IOException;
import java.net.URI;

import dev.keepalive.transport.internal.pool.ConnectionPool;
import dev.keepalive.transport.internal.pool.Lease;
import dev.keepalive.transport.internal.pool.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The pool's own bookkeeping in paths that are hard to reach through requests alone. */
class ConnectionPoolTest {

    private RawPeer peer;
    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws IOException {
        this.peer = RawPeer.answering(RawPeer.ok("pooled"));
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1).build());
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
        }
        finally {
            this.transport.close();
            this.peer.close();
        }
    }

    /**
     * The retry after a stale connection asks for a fresh connection; at the cap with an idle one, the idle
     * one is closed to make room. It must leave the idle structures, or the pool hands out a closed
     * connection later and its counts go wrong.
     */
    @Test
    void freshConnectionAtTheCapEvictsAnIdleOneCleanly() throws Exception {
        URI uri = this.peer.uri("/");
        try (ClientHttpResponse response = this.transport.requestFactory().createRequest(uri, HttpMethod.GET).execute()) {
            response.getBody().readAllBytes();
        }
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        ConnectionPool pool = this.transport.engine().pool;

        Lease lease = pool.acquire(Route.of(uri, null), true);

        assertThat(lease.outcome()).isEqualTo(AcquireOutcome.NEW);
        PoolSnapshot snapshot = this.transport.pool();
        assertThat(snapshot.idle()).isZero();
        assertThat(snapshot.active()).isEqualTo(1);
        assertThat(snapshot.routes().get(0).connections()).singleElement()
                .satisfies((c) -> assertThat(c.id()).isEqualTo(lease.connection().id));
        assertThat(snapshot.closedBy().get(CloseReason.MAX_IDLE)).isEqualTo(1);

        pool.release(lease, false, 0, CloseReason.ERROR);
        assertThat(this.transport.pool().active()).isZero();
        assertThat(this.transport.pool().idle()).isZero();
        try (ClientHttpResponse response = this.transport.requestFactory().createRequest(uri, HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).asString().isEqualTo("pooled");
            assertThat(((TrackedResponse) response).connectionReused()).isFalse();
        }
        assertThat(this.peer.accepted()).isEqualTo(2);
    }
}
