package dev.keepalive.transport;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import dev.keepalive.transport.internal.body.BodyTracker;
import dev.keepalive.transport.internal.body.Housekeeper;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Design §3 rules 4 (its message), 11 and 12: suspects, leaks, reclaim, and messages that name the line. */
class LeakDetectionTest {

    private static final String BODY = "x".repeat(4096);

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body(BODY).build();
            }
        });
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    private KeepAliveRequestFactory factory(KeepAliveSettings.Builder settings) {
        // These tests leave dropped bodies behind on purpose: closing the transport need not wait for them.
        this.transport = KeepAliveTransport.create(settings.shutdownGrace(Duration.ZERO).build());
        return this.transport.requestFactory();
    }

    private String routeName() {
        URI root = uri("/");
        return root.getScheme() + "://" + root.getHost() + ":" + root.getPort();
    }

    private URI uri(String path) {
        return this.server.url(path).uri();
    }

    @Test
    void droppedResponsesAreReclaimedWithoutAnyRequestArriving() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().maxConnsPerHost(2)
                .acquireTimeout(Duration.ofSeconds(5)));
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            dropUnclosed(factory);
            dropUnclosed(factory);
            assertThat(this.transport.pool().active()).isEqualTo(2);

            awaitGc(() -> this.transport.bodies().leaked() == 2 && this.transport.pool().active() == 0);

            assertThat(this.server.getRequestCount()).isEqualTo(2);
            assertThat(this.transport.pool().closedBy()).containsEntry(CloseReason.LEAK_RECLAIMED, 2L);
            assertThat(log.messages(Level.ERROR)).hasSize(2)
                    .allSatisfy((m) -> assertThat(m).contains("leaked").contains("LeakDetectionTest.java"));
        }
        try (ClientHttpResponse third = factory.createRequest(uri("/third"), HttpMethod.GET).execute()) {
            assertThat(third.getBody().readAllBytes()).hasSize(BODY.length());
        }
        PoolAssertions.assertBalanced(this.transport);
    }

    @Test
    void callersStarvedByALeakGetTheConnectionWithoutWaitingForAnUnrelatedCollection() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(8)));
        try (LogCapture log = new LogCapture(Housekeeper.class)) {
            dropUnclosed(factory);
            // No System.gc() here: the housekeeper must see the caller starving and ask for a collection.
            try (ClientHttpResponse next = factory.createRequest(uri("/next"), HttpMethod.GET).execute()) {
                assertThat(next.getBody().readAllBytes()).hasSize(BODY.length());
            }
            assertThat(this.transport.bodies().leaked()).isEqualTo(1);
            assertThat(log.messages(Level.INFO)).anySatisfy((m) -> assertThat(m).contains("requesting a garbage collection"));
        }
        PoolAssertions.assertBalanced(this.transport);
    }

    @Test
    void reclaimOffReportsTheLeakButKeepsTheConnection() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().reclaimLeaks(false));
        dropUnclosed(factory);
        awaitGc(() -> this.transport.bodies().leaked() == 1);
        assertThat(this.transport.pool().active()).isEqualTo(1);
        assertThat(this.transport.pool().closedBy()).containsEntry(CloseReason.LEAK_RECLAIMED, 0L);
    }

    @Test
    void bodyReadToEofAndDroppedIsNotALeak() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder());
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            readFullyAndDrop(factory);
            awaitGc(() -> this.transport.bodies().eofNotClosed() == 1);
            assertThat(this.transport.bodies().leaked()).isZero();
            assertThat(log.messages(Level.ERROR)).isEmpty();
        }
        try (ClientHttpResponse next = factory.createRequest(uri("/next"), HttpMethod.GET).execute()) {
            next.getBody().readAllBytes();
        }
        assertThat(this.server.takeRequest().getConnectionIndex())
                .isEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.pool().opened()).isEqualTo(1);
        PoolAssertions.assertBalanced(this.transport);
    }

    @Test
    void exhaustionMessageNamesTheLineThatHoldsTheConnection() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofMillis(200)));
        ClientHttpResponse held = factory.createRequest(uri("/held?token=abc"), HttpMethod.GET).execute(); // line A
        int lineA = new Throwable().getStackTrace()[0].getLineNumber() - 1;
        try {
            assertThatExceptionOfType(PoolExhaustedException.class)
                    .isThrownBy(() -> factory.createRequest(uri("/second"), HttpMethod.GET).execute())
                    .satisfies((ex) -> assertThat(ex.getMessage())
                            .contains("waiting for a connection to " + routeName())
                            .contains("max-conns-per-host is 1")
                            .contains("1 active, 0 idle")
                            .contains("LeakDetectionTest.java:" + lineA)
                            .contains("/held?…")
                            .doesNotContain("abc"));
            assertThat(this.transport.pool().lastAcquireTimeoutMillis()).isPositive();
        }
        finally {
            held.close();
        }
    }

    @Test
    void suspectIsFlaggedAfterTheThresholdAndALateCloseIsLogged() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().leakThreshold(Duration.ofMillis(200))
                .captureStack(StackCapture.ALWAYS));
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            ClientHttpResponse slow = factory.createRequest(uri("/slow"), HttpMethod.GET).execute();
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.bodies().leakSuspects() == 1);
            BodySnapshot suspect = this.transport.bodies().bodies().get(0);
            assertThat(suspect.leakSuspect()).isTrue();
            assertThat(suspect.openedAt()).contains("LeakDetectionTest.java");
            assertThat(log.messages(Level.WARN)).singleElement().asString()
                    .contains("Leak suspect").contains("GET").contains("/slow").contains("LeakDetectionTest.java");
            slow.close();
            assertThat(log.messages(Level.INFO)).singleElement().asString().contains("closed after all");
            assertThat(this.transport.bodies().leakSuspects()).isZero();
        }
    }

    @Test
    void secondLeakFromTheSameLineRecordsItsStackWhenSampled() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().captureStack(StackCapture.SAMPLED)
                .sampleRate(1_000_000));
        dropUnclosed(factory);
        awaitGc(() -> this.transport.bodies().leaked() == 1);
        ClientHttpResponse second = openFromTheSameLine(factory);
        try {
            BodySnapshot body = this.transport.bodies().bodies().get(0);
            assertThat(body.stack()).isNotNull();
            assertThat(body.stack().get(0)).contains("LeakDetectionTest.openFromTheSameLine");
        }
        finally {
            second.close();
        }
        factory.createRequest(uri("/other"), HttpMethod.GET).execute().close(); // the first body of /other records
        try (ClientHttpResponse elsewhere = factory.createRequest(uri("/other"), HttpMethod.GET).execute()) {
            assertThat(this.transport.bodies().bodies().get(0).stack()).isNull();
        }
    }

    @Test
    void firstLeakOfARequestNamesItsLineUnderTheDefaultCaptureMode() throws Exception {
        // The default mode with a sample that never hits: the line must not come from luck.
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().sampleRate(1_000_000));
        assertThat(this.transport.settings().leakDetection().captureStack()).isEqualTo(StackCapture.SAMPLED);
        List<BodySnapshot> leaked = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.transport.addListener(new TransportListener() {
            @Override
            public void bodyLeaked(BodySnapshot body) {
                leaked.add(body);
            }
        });
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            dropUnclosed(factory);
            awaitGc(() -> leaked.size() == 1); // listeners hear of a leak after it is counted
            assertThat(leaked).singleElement().satisfies((body) -> {
                assertThat(body.openedAt()).startsWith("dev.keepalive.transport.LeakDetectionTest.openFromTheSameLine(");
                assertThat(body.stack()).isNotEmpty();
            });
            assertThat(log.messages(Level.ERROR)).singleElement().asString()
                    .contains("LeakDetectionTest.openFromTheSameLine(LeakDetectionTest.java:");
        }
    }

    @Test
    void leakOfALaterBodyNamesTheLineRecordedForItsRequest() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().sampleRate(1_000_000));
        List<BodySnapshot> leaked = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.transport.addListener(new TransportListener() {
            @Override
            public void bodyLeaked(BodySnapshot body) {
                leaked.add(body);
            }
        });
        int line;
        try (ClientHttpResponse first = factory.createRequest(uri("/users/41"), HttpMethod.GET).execute()) { // line
            line = new Throwable().getStackTrace()[0].getLineNumber() - 1;
            first.getBody().readAllBytes();
        }
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            // Another id, one request (method, route, path template): this body records no stack of its own.
            factory.createRequest(uri("/users/42"), HttpMethod.GET).execute();
            awaitGc(() -> leaked.size() == 1);
            assertThat(leaked).singleElement().satisfies((body) -> {
                assertThat(body.openedAt()).contains("LeakDetectionTest.java:" + line);
                assertThat(body.stack()).as("not recorded for this body").isNull();
            });
            assertThat(log.messages(Level.ERROR)).singleElement().asString()
                    .contains("LeakDetectionTest.java:" + line).contains("not recorded for this body");
        }
    }

    @Test
    void neverAndAlwaysCaptureModes() throws Exception {
        KeepAliveRequestFactory always = factory(KeepAliveSettings.builder().captureStack(StackCapture.ALWAYS));
        try (ClientHttpResponse response = always.createRequest(uri("/a"), HttpMethod.GET).execute()) {
            assertThat(this.transport.bodies().bodies().get(0).stack()).isNotEmpty();
        }
        this.transport.close();
        KeepAliveRequestFactory never = factory(KeepAliveSettings.builder().captureStack(StackCapture.NEVER));
        try (ClientHttpResponse response = never.createRequest(uri("/n"), HttpMethod.GET).execute()) {
            BodySnapshot body = this.transport.bodies().bodies().get(0);
            assertThat(body.stack()).isNull();
            assertThat(body.openedAt()).isEqualTo("unknown");
        }
    }

    @Test
    void sampledRecordsTheNextBodyOfARequestThatWasASuspect() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().leakThreshold(Duration.ofMillis(100))
                .sampleRate(1_000_000));
        factory.createRequest(uri("/report"), HttpMethod.GET).execute().close(); // the first body of /report records
        try (ClientHttpResponse first = factory.createRequest(uri("/report"), HttpMethod.GET).execute()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.bodies().leakSuspects() == 1);
            assertThat(this.transport.bodies().bodies().get(0).stack()).isNull();
        }
        try (ClientHttpResponse second = factory.createRequest(uri("/report"), HttpMethod.GET).execute()) {
            assertThat(this.transport.bodies().bodies().get(0).openedAt())
                    .startsWith("dev.keepalive.transport.LeakDetectionTest.sampledRecordsTheNextBodyOfARequestThatWasASuspect(");
        }
    }

    @Test
    void sampledRecordsEveryBodyOnARouteNearItsCap() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().maxConnsPerHost(4).sampleRate(1_000_000));
        for (String path : new String[] { "/1", "/2" }) {
            factory.createRequest(uri(path), HttpMethod.GET).execute().close(); // the first body of each records
        }
        try (ClientHttpResponse first = factory.createRequest(uri("/1"), HttpMethod.GET).execute();
                ClientHttpResponse second = factory.createRequest(uri("/2"), HttpMethod.GET).execute()) {
            List<BodySnapshot> bodies = this.transport.bodies().bodies();
            assertThat(bodies.get(0).stack()).as("1 of 4 in use: not near the cap").isNull();
            assertThat(bodies.get(1).stack()).isNotNull();
            assertThat(bodies.get(1).openedAt()).contains("LeakDetectionTest.java");
        }
    }

    @Test
    void detectorDoesNotRetainDroppedResponses() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().reclaimLeaks(false));
        WeakReference<ClientHttpResponse> ref = weaklyHeld(factory);
        awaitGc(() -> ref.get() == null);
        awaitGc(() -> this.transport.bodies().leaked() == 1);
    }

    @Test
    void userInfoAndQueryNeverShow() throws Exception {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().leakThreshold(Duration.ofMillis(100))
                .captureStack(StackCapture.ALWAYS));
        URI secret = URI.create("http://alice:s3cr3t@127.0.0.1:" + this.server.getPort() + "/data?token=t0p&x=1");
        try (LogCapture log = new LogCapture(BodyTracker.class)) {
            ClientHttpResponse response = factory.createRequest(secret, HttpMethod.GET).execute();
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.bodies().leakSuspects() == 1);
            String snapshot = this.transport.bodies().toString() + this.transport.pool().toString();
            response.close();
            String logs = log.all();
            for (String text : new String[] { snapshot, logs }) {
                assertThat(text).contains("/data?…").doesNotContain("s3cr3t").doesNotContain("alice")
                        .doesNotContain("t0p").doesNotContain("x=1");
            }
        }
    }

    private void dropUnclosed(KeepAliveRequestFactory factory) throws IOException {
        openFromTheSameLine(factory);
    }

    private ClientHttpResponse openFromTheSameLine(KeepAliveRequestFactory factory) throws IOException {
        return factory.createRequest(uri("/leak"), HttpMethod.GET).execute();
    }

    private void readFullyAndDrop(KeepAliveRequestFactory factory) throws IOException {
        factory.createRequest(uri("/eof"), HttpMethod.GET).execute().getBody().readAllBytes();
    }

    private WeakReference<ClientHttpResponse> weaklyHeld(KeepAliveRequestFactory factory) throws IOException {
        return new WeakReference<>(factory.createRequest(uri("/weak"), HttpMethod.GET).execute());
    }

    private static void awaitGc(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return condition.call();
        });
    }
}
