package dev.keepalive.autoconfigure.metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolExhaustedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link KeepAliveMetrics} against a real transport and servers.
 */
class KeepAliveMetricsTests {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private MockWebServer first;

    private MockWebServer second;

    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws IOException {
        this.first = new MockWebServer();
        this.first.start(InetAddress.getLoopbackAddress(), 0);
        this.second = new MockWebServer();
        this.second.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
            .acquireTimeout(Duration.ofMillis(200))
            .host("127.0.0.1:" + this.second.getPort(), new KeepAliveSettings.HostLimits(1, null))
            .build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.first.close();
        this.second.close();
    }

    private static String route(MockWebServer server) {
        return "http://127.0.0.1:" + server.getPort();
    }

    private ClientHttpResponse get(MockWebServer server) throws IOException {
        return this.transport.requestFactory()
            .createRequest(URI.create(route(server) + "/data"), HttpMethod.GET)
            .execute();
    }

    private void getAndRead(MockWebServer server) throws IOException {
        try (ClientHttpResponse response = get(server)) {
            response.getBody().readAllBytes();
        }
    }

    @Test
    void globalBodyMetersExistOnceBound() {
        new KeepAliveMetrics(this.transport).bindTo(this.registry);
        assertThat(this.registry.get("keepalive.bodies.open").gauge().value()).isZero();
        assertThat(this.registry.get("keepalive.bodies.leak.suspects").gauge().value()).isZero();
        for (String outcome : new String[] { "eof", "early-drained", "early-discarded", "eof-not-closed", "leaked" }) {
            assertThat(this.registry.get("keepalive.bodies.closed").tag("outcome", outcome).functionCounter().count())
                .isZero();
        }
        assertThat(this.registry.find("keepalive.connections").meters()).isEmpty();
    }

    @Test
    void routeMetersAppearForRoutesFirstUsedAfterBinding() throws IOException {
        new KeepAliveMetrics(this.transport).bindTo(this.registry);
        this.first.enqueue(new MockResponse.Builder().body("one").build());
        this.first.enqueue(new MockResponse.Builder().body("two").build());
        getAndRead(this.first);
        getAndRead(this.first);
        String route = route(this.first);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(this.registry.get("keepalive.connections").tags("route", route, "state", "idle").gauge().value())
                .isEqualTo(1);
            assertThat(this.registry.get("keepalive.connections").tags("route", route, "state", "active").gauge()
                .value()).isZero();
            assertThat(this.registry.get("keepalive.connections.opened").tag("route", route).functionCounter().count())
                .isEqualTo(1);
            assertThat(this.registry.get("keepalive.connections.reused").tag("route", route).functionCounter().count())
                .isEqualTo(1);
            assertThat(this.registry.get("keepalive.bodies.closed").tag("outcome", "eof").functionCounter().count())
                .isEqualTo(2);
        });
        assertThat(this.registry.get("keepalive.connections.waiting").tag("route", route).gauge().value()).isZero();
        assertThat(this.registry.get("keepalive.connections.closed").tags("route", route).functionCounters())
            .hasSize(8);
        assertThat(this.registry.find("keepalive.connections.max").tag("route", route).gauge())
            .as("no cap, no max gauge").isNull();
        Timer acquiredNew = this.registry.get("keepalive.connections.acquire").tags("route", route, "outcome", "new")
            .timer();
        Timer acquiredIdle = this.registry.get("keepalive.connections.acquire")
            .tags("route", route, "outcome", "idle")
            .timer();
        assertThat(acquiredNew.count()).isEqualTo(1);
        assertThat(acquiredIdle.count()).isEqualTo(1);
        // The outcomes that did not happen yet are there at zero, so that the first one is an increase.
        assertThat(this.registry.get("keepalive.connections.acquire").tags("route", route, "outcome", "timeout")
            .timer()
            .count()).isZero();
        assertThat(this.registry.get("keepalive.connections.acquire").tags("route", route, "outcome", "waited")
            .timer()
            .count()).isZero();
        assertThat(this.registry.find("keepalive.connections").tag("route", route(this.second)).meters()).isEmpty();
    }

    @Test
    void routesPresentBeforeBindingGetMeters() throws IOException {
        this.first.enqueue(new MockResponse.Builder().body("one").build());
        getAndRead(this.first);
        new KeepAliveMetrics(this.transport).bindTo(this.registry);
        assertThat(this.registry.get("keepalive.connections.opened").tag("route", route(this.first))
            .functionCounter().count()).isEqualTo(1);
    }

    @Test
    void cappedRouteHasMaxGaugeAndTimesOutWaitersAreTimed() throws IOException {
        new KeepAliveMetrics(this.transport).bindTo(this.registry);
        String route = route(this.second);
        this.second.enqueue(new MockResponse.Builder().body("held").build());
        try (ClientHttpResponse held = get(this.second)) {
            assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> get(this.second));
            assertThat(this.registry.get("keepalive.connections.max").tag("route", route).gauge().value()).isEqualTo(1);
            Timer timeouts = this.registry.get("keepalive.connections.acquire")
                .tags("route", route, "outcome", "timeout")
                .timer();
            assertThat(timeouts.count()).isEqualTo(1);
            assertThat(timeouts.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(150);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    this.registry.get("keepalive.bodies.open").gauge().value()).isEqualTo(1));
            held.getBody().readAllBytes();
        }
    }

    /** Design §3 rule 23: a route the transport drops for want of use takes its meters with it. */
    @Test
    void aDroppedRouteLosesItsMetersAndGetsThemBackWhenUsedAgain() throws IOException {
        this.first.enqueue(new MockResponse.Builder().body("one").build());
        this.first.enqueue(new MockResponse.Builder().body("two").build());
        try (KeepAliveTransport shortLived = KeepAliveTransport.create(KeepAliveSettings.builder()
            .idleConnTimeout(Duration.ofMillis(300))
            .build())) {
            new KeepAliveMetrics(shortLived).bindTo(this.registry);
            URI uri = URI.create(route(this.first) + "/data");
            try (ClientHttpResponse response = shortLived.requestFactory().createRequest(uri, HttpMethod.GET).execute()) {
                response.getBody().readAllBytes();
            }
            assertThat(this.registry.find("keepalive.connections.opened")
                .tag("route", route(this.first))
                .functionCounter()
                .count()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10))
                .until(() -> this.registry.find("keepalive.connections").tag("route", route(this.first)).meters().isEmpty()
                        && this.registry.find("keepalive.connections.acquire")
                            .tag("route", route(this.first))
                            .meters()
                            .isEmpty());
            assertThat(this.registry.getMeters()).noneMatch((m) -> route(this.first).equals(m.getId().getTag("route")));
            assertThat(shortLived.pool().routes()).isEmpty();

            try (ClientHttpResponse response = shortLived.requestFactory().createRequest(uri, HttpMethod.GET).execute()) {
                response.getBody().readAllBytes();
            }
            assertThat(this.registry.find("keepalive.connections.opened")
                .tag("route", route(this.first))
                .functionCounter()
                .count()).isEqualTo(1);
            assertThat(this.registry.find("keepalive.connections.acquire").tag("route", route(this.first)).timers())
                .isNotEmpty();
        }
    }

}
