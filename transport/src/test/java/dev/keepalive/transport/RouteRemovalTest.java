package dev.keepalive.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 23: a route with no connection and no waiter is dropped after {@code idle-conn-timeout}, so
 * memory does not grow with the hosts called; the totals keep what it counted.
 */
class RouteRemovalTest {

    private static final Duration IDLE = Duration.ofMillis(300);

    @Test
    void routesWithoutConnectionsOrWaitersAreDroppedAndTheTotalsKeepTheirCounts() throws Exception {
        List<RawPeer> peers = new ArrayList<>();
        List<String> removed = new CopyOnWriteArrayList<>();
        try (KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .idleConnTimeout(IDLE).build())) {
            transport.addListener(new TransportListener() {
                @Override
                public void routeRemoved(String route) {
                    removed.add(route);
                }
            });
            for (int i = 0; i < 20; i++) {
                RawPeer peer = RawPeer.answering(RawPeer.ok("hello"));
                peers.add(peer);
                for (int n = 0; n < 2; n++) {
                    try (ClientHttpResponse response = transport.requestFactory().createRequest(peer.uri("/"),
                            HttpMethod.GET).execute()) {
                        response.getBody().readAllBytes();
                    }
                }
            }
            // No count of routes here: on a slow machine the first ones are dropped before the last is made.
            // That there were 20 is shown below: 20 opened, and each of the 20 routes removed once.

            await().atMost(Duration.ofSeconds(10)).until(() -> transport.pool().routes().isEmpty());

            PoolSnapshot pool = transport.pool();
            assertThat(pool.opened()).isEqualTo(20);
            assertThat(pool.closed()).isEqualTo(20);
            assertThat(pool.reused()).isEqualTo(20);
            assertThat(pool.closedBy().get(CloseReason.IDLE_TIMEOUT)).isEqualTo(20);
            assertThat(removed).containsExactlyInAnyOrderElementsOf(peers.stream().map(RawPeer::route).toList());
            PoolAssertions.assertBalanced(transport);

            // A dropped route comes back at its next request.
            RawPeer first = peers.get(0);
            try (ClientHttpResponse response = transport.requestFactory().createRequest(first.uri("/"), HttpMethod.GET)
                    .execute()) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("hello");
            }
            assertThat(transport.pool().route(first.route())).hasValueSatisfying((r) -> assertThat(r.opened()).isEqualTo(1));
            assertThat(transport.pool().opened()).isEqualTo(21);
        }
        finally {
            peers.forEach(RawPeer::close);
        }
    }

    @Test
    void aRouteWithAConnectionInUseIsKept() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("held"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .idleConnTimeout(IDLE).build())) {
            ClientHttpResponse held = transport.requestFactory().createRequest(peer.uri("/"), HttpMethod.GET).execute();
            await().during(IDLE.multipliedBy(4)).atMost(IDLE.multipliedBy(6))
                    .until(() -> transport.pool().route(peer.route()).isPresent());
            held.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> transport.pool().routes().isEmpty());
            PoolAssertions.assertBalanced(transport);
        }
    }
}
