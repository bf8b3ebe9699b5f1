package dev.keepalive.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The body events of {@link TransportListener} (leaked, leak suspect, dropped at EOF) and the O(1) body
 * counts of {@link KeepAliveTransport}, on which a test's leak check is built.
 */
class BodyEventsTest {

    private final MockWebServer server = new MockWebServer();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<BodySnapshot> bodies = new CopyOnWriteArrayList<>();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("x".repeat(2048)).build();
            }
        });
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().captureStack(StackCapture.ALWAYS)
                .leakThreshold(Duration.ofMillis(100)).build());
        this.factory = this.transport.requestFactory();
        this.transport.addListener(new TransportListener() {
            @Override
            public void bodyLeaked(BodySnapshot body) {
                record("leaked", body);
            }

            @Override
            public void leakSuspected(BodySnapshot body) {
                record("suspect", body);
            }

            @Override
            public void bodyDroppedAtEof(BodySnapshot body) {
                record("eof", body);
            }
        });
    }

    private void record(String event, BodySnapshot body) {
        this.events.add(event + " #" + body.id());
        this.bodies.add(body);
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void aDroppedOpenBodyIsReportedAsLeakedWithItsLineAndRedactedUri() throws Exception {
        long before = this.transport.bodiesOpened();
        dropOpen("/leak?token=secret");
        assertThat(this.transport.bodiesOpened()).isEqualTo(before + 1);
        assertThat(this.transport.openBodies()).isEqualTo(1);
        awaitGc(() -> this.events.contains("leaked #" + (before + 1)));
        BodySnapshot leaked = this.bodies.stream().filter((b) -> b.id() == before + 1).findFirst().orElseThrow();
        assertThat(leaked.uri()).endsWith("/leak?…");
        assertThat(leaked.openedAt()).contains("BodyEventsTest.dropOpen(BodyEventsTest.java:");
        assertThat(leaked.bytesRead()).isZero();
        assertThat(this.transport.openBodies()).isZero();
        assertThat(this.transport.pool().active()).as("slot freed before the event").isZero();
    }

    @Test
    void aBodyReadToEofAndDroppedIsReportedOnlyAsDroppedAtEof() throws Exception {
        dropAtEof();
        assertThat(this.transport.openBodies()).as("listed until closed or dropped").isEqualTo(1);
        awaitGc(() -> this.transport.openBodies() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("eof #1"));
        assertThat(this.events).containsExactly("eof #1");
        assertThat(this.bodies.get(0).bytesRead()).isEqualTo(2048);
    }

    @Test
    void aBodyWithNoReadForTheThresholdIsReportedAsSuspectOnce() throws Exception {
        try (ClientHttpResponse response = this.factory.createRequest(uri("/slow"), HttpMethod.GET).execute()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("suspect #1"));
            assertThat(this.bodies.get(0).leakSuspect()).isTrue();
        }
        assertThat(this.events).containsExactly("suspect #1");
        assertThat(this.transport.openBodies()).isZero();
        assertThat(this.transport.bodiesOpened()).isEqualTo(1);
    }

    @Test
    void aListenerThatThrowsDoesNotStopReclaim() throws Exception {
        this.transport.addListener(new TransportListener() {
            @Override
            public void bodyLeaked(BodySnapshot body) {
                throw new IllegalStateException("listener bug");
            }
        });
        dropOpen("/one");
        awaitGc(() -> this.events.contains("leaked #1"));
        dropOpen("/two");
        awaitGc(() -> this.events.contains("leaked #2"));
        assertThat(this.transport.bodies().leaked()).isEqualTo(2);
        PoolAssertions.assertBalanced(this.transport);
    }

    private void dropOpen(String path) throws IOException {
        this.factory.createRequest(uri(path), HttpMethod.GET).execute();
    }

    private void dropAtEof() throws IOException {
        this.factory.createRequest(uri("/eof"), HttpMethod.GET).execute().getBody().readAllBytes();
    }

    private URI uri(String path) {
        return this.server.url(path).uri();
    }

    private static void awaitGc(Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return condition.call();
        });
    }
}
