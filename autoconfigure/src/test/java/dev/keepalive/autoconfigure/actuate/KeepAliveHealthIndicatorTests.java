package dev.keepalive.autoconfigure.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolExhaustedException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link KeepAliveHealthIndicator} against a real transport and server.
 */
class KeepAliveHealthIndicatorTests {

    private MockWebServer server;

    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = new MockWebServer();
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
            .maxConnsPerHost(1)
            .acquireTimeout(Duration.ofMillis(200))
            .build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + this.server.getPort() + "/data");
    }

    @Test
    void upWithTotalsAsDetails() throws IOException {
        this.server.enqueue(new MockResponse.Builder().body("hello").build());
        try (ClientHttpResponse response = this.transport.requestFactory().createRequest(uri(), HttpMethod.GET)
            .execute()) {
            assertThat(response.getBody().readAllBytes()).hasSize(5);
        }
        Health health = new KeepAliveHealthIndicator(this.transport).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsOnlyKeys("connections", "bodies");
        assertThat(detail(health, "connections")).containsEntry("opened", 1L)
            .containsEntry("idle", 1)
            .containsEntry("active", 0)
            .containsKey("closedBy");
        assertThat(detail(health, "bodies")).containsEntry("opened", 1L).containsEntry("eof", 1L);
    }

    @Test
    void downForAMinuteAfterACallerTimedOutWaitingForAConnection() throws IOException {
        this.server.enqueue(new MockResponse.Builder().body("held").build());
        try (ClientHttpResponse held = this.transport.requestFactory().createRequest(uri(), HttpMethod.GET)
            .execute()) {
            assertThatExceptionOfType(PoolExhaustedException.class)
                .isThrownBy(() -> this.transport.requestFactory().createRequest(uri(), HttpMethod.GET).execute());
            Health health = new KeepAliveHealthIndicator(this.transport).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsKey("lastAcquireTimeout");
            Clock aMinuteLater = Clock.offset(Clock.systemUTC(), KeepAliveHealthIndicator.WINDOW.plusSeconds(1));
            assertThat(new KeepAliveHealthIndicator(this.transport, aMinuteLater).health().getStatus())
                .isEqualTo(Status.UP);
            held.getBody().readAllBytes();
        }
    }

    @Test
    void downForAMinuteAfterABodyLeaked() throws IOException {
        this.server.enqueue(new MockResponse.Builder().body("leaked").build());
        leakOneResponse();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            System.gc();
            assertThat(this.transport.bodies().leaked()).isEqualTo(1);
        });
        Health health = new KeepAliveHealthIndicator(this.transport).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsKey("lastLeak");
        assertThat(detail(health, "bodies")).containsEntry("leaked", 1L);
        Clock aMinuteLater = Clock.offset(Clock.systemUTC(), KeepAliveHealthIndicator.WINDOW.plusSeconds(1));
        assertThat(new KeepAliveHealthIndicator(this.transport, aMinuteLater).health().getStatus())
            .isEqualTo(Status.UP);
    }

    private void leakOneResponse() throws IOException {
        ClientHttpResponse response = this.transport.requestFactory().createRequest(uri(), HttpMethod.GET).execute();
        assertThat(response.getStatusCode().value()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Health health, String name) {
        return (Map<String, Object>) health.getDetails().get(name);
    }

}
