package dev.keepalive.autoconfigure.actuate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
            .containsEntry("waiting", 0)
            .containsEntry("closed", 0L);
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
            assertThat(health.getDetails()).containsKeys("reason", "lastAcquireTimeoutAt");
            assertThat((String) health.getDetails().get("reason")).contains("timed out");
            Clock aMinuteLater = Clock.offset(Clock.systemUTC(), KeepAliveHealthIndicator.WINDOW.plusSeconds(1));
            Health later = new KeepAliveHealthIndicator(this.transport, aMinuteLater).health();
            assertThat(later.getStatus()).isEqualTo(Status.UP);
            assertThat(later.getDetails()).containsKey("lastAcquireTimeoutAt").doesNotContainKey("reason");
            held.getBody().readAllBytes();
        }
    }

    @Test
    void downWhileACallerHasWaitedLongerThanHalfTheAcquireTimeoutAndUpOnceServed() throws Exception {
        try (KeepAliveTransport patient = KeepAliveTransport.create(KeepAliveSettings.builder()
            .maxConnsPerHost(1)
            .acquireTimeout(Duration.ofSeconds(6))
            .build())) {
            this.server.enqueue(new MockResponse.Builder().body("held").build());
            this.server.enqueue(new MockResponse.Builder().body("next").build());
            KeepAliveHealthIndicator indicator = new KeepAliveHealthIndicator(patient);
            ClientHttpResponse held = patient.requestFactory().createRequest(uri(), HttpMethod.GET).execute();
            CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
                try (ClientHttpResponse response = patient.requestFactory().createRequest(uri(), HttpMethod.GET)
                    .execute()) {
                    return new String(response.getBody().readAllBytes());
                }
                catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            await().atMost(Duration.ofSeconds(2)).until(() -> patient.totals().waiting() == 1);
            assertThat(patient.totals().longestWaitMillis()).isLessThan(3000);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            await().atMost(Duration.ofSeconds(5)).until(() -> indicator.health().getStatus().equals(Status.DOWN));
            Health starving = indicator.health();
            assertThat((String) starving.getDetails().get("reason")).contains("half of acquire-timeout (3000 ms)");
            assertThat(detail(starving, "connections")).containsEntry("waiting", 1);
            held.getBody().readAllBytes();
            held.close();
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("next");
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void aReclaimedLeakStaysUpWithLeakedAndLastLeakAtInTheDetails() throws IOException {
        this.server.enqueue(new MockResponse.Builder().body("leaked").build());
        long before = System.currentTimeMillis();
        leakOneResponse();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            System.gc();
            assertThat(this.transport.totals().leaked()).isEqualTo(1);
        });
        Health health = new KeepAliveHealthIndicator(this.transport).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("leaked", 1L).doesNotContainKey("reason");
        assertThat(Instant.parse((String) health.getDetails().get("lastLeakAt")).toEpochMilli()).isBetween(before,
                System.currentTimeMillis());
        assertThat(detail(health, "bodies")).containsEntry("leaked", 1L).containsEntry("open", 0L);
    }

    /** Design §3 rule 22: callers woken by a shutdown did not starve; health stays UP while the app stops. */
    @Test
    void staysUpWhenClosingTheTransportWakesCallersWaitingAtTheCap() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("held").build());
        try (KeepAliveTransport closing = KeepAliveTransport.create(KeepAliveSettings.builder()
            .maxConnsPerHost(1)
            .acquireTimeout(Duration.ofSeconds(30))
            .shutdownGrace(Duration.ofMillis(100))
            .build())) {
            ClientHttpResponse held = closing.requestFactory().createRequest(uri(), HttpMethod.GET).execute();
            CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
                try (ClientHttpResponse response = closing.requestFactory().createRequest(uri(), HttpMethod.GET)
                    .execute()) {
                    return null;
                }
                catch (IOException ex) {
                    return ex;
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> closing.pool().waiting() == 1);

            closing.close();

            assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                .isNotInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("closed");
            Health health = new KeepAliveHealthIndicator(closing).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).doesNotContainKey("lastAcquireTimeout");
            held.close();
        }
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
