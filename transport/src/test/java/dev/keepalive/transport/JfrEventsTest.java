package dev.keepalive.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.internal.body.BodyLeakedEvent;
import dev.keepalive.transport.internal.body.LeakSuspectEvent;
import dev.keepalive.transport.internal.pool.ConnectionAcquireEvent;
import dev.keepalive.transport.internal.pool.PoolExhaustedEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Design §11: the JFR events, recorded with {@link Recording} to a file and read back with
 * {@link RecordingFile}, with their fields.
 */
class JfrEventsTest {

    private final LoopbackHttpServer server;
    private KeepAliveTransport transport;

    @TempDir
    Path dir;

    JfrEventsTest() throws IOException {
        this.server = new LoopbackHttpServer();
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    private ClientHttpResponse get(String path) throws IOException {
        return this.transport.requestFactory().createRequest(this.server.uri(path), HttpMethod.GET).execute();
    }

    private String route() {
        return "http://127.0.0.1:" + this.server.uri("/").getPort();
    }

    /** A started recording of {@code events} with their default settings (the acquire threshold included). */
    private static Recording recording(String... events) {
        Recording recording = new Recording();
        for (String event : events) {
            recording.enable(event);
        }
        recording.start();
        return recording;
    }

    /** Stops the recording, writes it to a file and reads the file back. */
    private List<RecordedEvent> stopAndRead(Recording recording, String file) throws IOException {
        recording.stop();
        Path path = this.dir.resolve(file);
        recording.dump(path);
        return RecordingFile.readAllEvents(path);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter((e) -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void aLeakAndASuspectAreRecordedWithRouteAndOpeningLine() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .captureStack(StackCapture.ALWAYS).leakThreshold(Duration.ofMillis(100)).build());
        List<RecordedEvent> events;
        try (Recording recording = recording("dev.keepalive.BodyLeaked", "dev.keepalive.LeakSuspect")) {
            ClientHttpResponse suspect = get("/bytes/2048");
            suspect.getBody().read(new byte[10]);
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().leakSuspects() == 1);
            suspect.close();
            leakOne();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                System.gc();
                return this.transport.totals().leaked() == 1;
            });
            events = stopAndRead(recording, "leak.jfr");
        }

        // The leaked body may have become a suspect too before the collector found it: pick the read one.
        List<RecordedEvent> suspects = named(events, "dev.keepalive.LeakSuspect").stream()
                .filter((e) -> e.getString("uri").endsWith("/bytes/2048")).toList();
        assertThat(suspects).hasSize(1);
        RecordedEvent suspected = suspects.get(0);
        assertThat(suspected.getString("route")).isEqualTo(route());
        assertThat(suspected.getString("method")).isEqualTo("GET");
        assertThat(suspected.getString("uri")).isEqualTo(route() + "/bytes/2048");
        assertThat(suspected.getString("openedAt")).startsWith("dev.keepalive.transport.JfrEventsTest.get(JfrEventsTest.java:");
        assertThat(suspected.getLong("bytesRead")).isEqualTo(10);
        assertThat(suspected.getDuration("idle")).isGreaterThanOrEqualTo(Duration.ofMillis(100));

        List<RecordedEvent> leaks = named(events, "dev.keepalive.BodyLeaked");
        assertThat(leaks).hasSize(1);
        RecordedEvent leaked = leaks.get(0);
        assertThat(leaked.getString("route")).isEqualTo(route());
        assertThat(leaked.getString("uri")).isEqualTo(route() + "/bytes/64");
        assertThat(leaked.getString("openedAt")).startsWith("dev.keepalive.transport.JfrEventsTest.get(JfrEventsTest.java:");
        assertThat(leaked.getString("stack")).contains("JfrEventsTest.leakOne(JfrEventsTest.java:");
        assertThat(leaked.getLong("bytesRead")).isZero();
        assertThat(leaked.getDuration("age")).isPositive();
    }

    @Test
    void aLeakIsRecordedBeforeItIsCounted() throws Exception {
        // Whoever sees the leak counted (a test, an alert) must find its event: the recording is stopped by a
        // listener, which hears of the leak after the count, so an event committed after the count is missing.
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        try (Recording recording = recording("dev.keepalive.BodyLeaked")) {
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            this.transport.addListener(new TransportListener() {
                @Override
                public void bodyLeaked(BodySnapshot body) {
                    recording.stop();
                    stopped.complete(null);
                }
            });
            leakFromALineOfItsOwn();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                System.gc();
                return stopped.isDone();
            });
            Path path = this.dir.resolve("counted.jfr");
            recording.dump(path);
            assertThat(named(RecordingFile.readAllEvents(path), "dev.keepalive.BodyLeaked")).hasSize(1);
        }
    }

    /**
     * Leaks a body opened on a line no other test uses. JFR writes a long string once per recording period, and a
     * recording stopped from a listener can leave the next recording without a string both wrote (seen on JDK
     * 17: the other test's {@code openedAt} read back as null); distinct strings keep the tests independent.
     */
    private void leakFromALineOfItsOwn() throws IOException {
        ClientHttpResponse dropped = this.transport.requestFactory()
                .createRequest(this.server.uri("/bytes/32"), HttpMethod.GET).execute();
        assertThat(dropped.getStatusCode().value()).isEqualTo(200);
    }

    private void leakOne() throws IOException {
        assertThat(get("/bytes/64").getStatusCode().value()).isEqualTo(200);
    }

    @Test
    void slowAcquiresAndAnExhaustedPoolAreRecordedWithTheirWaitAndFastOnesAreNot() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(1)).build());
        List<RecordedEvent> events;
        try (Recording recording = recording("dev.keepalive.ConnectionAcquire", "dev.keepalive.PoolExhausted")) {
            for (int i = 0; i < 50; i++) { // one new, then idle ones: fast
                try (ClientHttpResponse response = get("/bytes/64")) {
                    response.getBody().readAllBytes();
                }
            }
            ClientHttpResponse held = get("/bytes/64");
            assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> get("/bytes/64"));
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                try (ClientHttpResponse response = get("/bytes/64")) {
                    return response.getBody().readAllBytes().length;
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> this.transport.totals().longestWaitMillis() >= 50);
            held.close();
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo(64);
            events = stopAndRead(recording, "acquire.jfr");
        }

        List<RecordedEvent> recorded = named(events, "dev.keepalive.ConnectionAcquire");
        // The 10 ms threshold: what is recorded took that long; of 50 fast acquires, few or none are (a busy
        // machine can stall one), while a zero threshold records them all (next test).
        assertThat(recorded).allSatisfy((e) -> assertThat(e.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(10)));
        assertThat(recorded).filteredOn((e) -> e.getString("outcome").matches("new|idle")).hasSizeLessThan(10);
        List<RecordedEvent> acquires = recorded.stream().filter((e) -> e.getString("outcome").matches("timeout|waited"))
                .toList();
        // Events of two threads come out of a recording in the order their thread buffers were flushed, not
        // in the order they happened: find each by its outcome.
        assertThat(acquires).extracting((e) -> e.getString("outcome")).containsExactlyInAnyOrder("timeout", "waited");
        RecordedEvent timeout = outcome(acquires, "timeout");
        RecordedEvent waited = outcome(acquires, "waited");
        assertThat(timeout.getString("route")).isEqualTo(route());
        assertThat(timeout.getDuration("wait")).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(timeout.getDuration()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(waited.getDuration("wait")).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        List<RecordedEvent> exhausted = named(events, "dev.keepalive.PoolExhausted");
        assertThat(exhausted).hasSize(1);
        RecordedEvent pool = exhausted.get(0);
        assertThat(pool.getString("route")).isEqualTo(route());
        assertThat(pool.getInt("maxConns")).isEqualTo(1);
        assertThat(pool.getInt("active")).isEqualTo(1);
        assertThat(pool.getInt("idle")).isZero();
        assertThat(pool.getDuration("waited")).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(pool.getStackTrace().getFrames()).anySatisfy((frame) -> assertThat(frame.getMethod().getType()
                .getName()).isEqualTo(JfrEventsTest.class.getName()));
    }

    @Test
    void aThresholdOfZeroRecordsEveryAcquire() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        List<RecordedEvent> acquires;
        try (Recording recording = new Recording()) {
            recording.enable("dev.keepalive.ConnectionAcquire").withThreshold(Duration.ZERO);
            recording.start();
            for (int i = 0; i < 3; i++) {
                try (ClientHttpResponse response = get("/bytes/64")) {
                    response.getBody().readAllBytes();
                }
            }
            acquires = named(stopAndRead(recording, "all.jfr"), "dev.keepalive.ConnectionAcquire");
        }
        assertThat(acquires).extracting((e) -> e.getString("outcome")).containsExactly("new", "idle", "idle");
    }

    @Test
    void withoutARecordingNoEventIsEnabled() {
        assertThat(new ConnectionAcquireEvent().isEnabled()).isFalse();
        assertThat(new PoolExhaustedEvent().isEnabled()).isFalse();
        assertThat(new BodyLeakedEvent().isEnabled()).isFalse();
        assertThat(new LeakSuspectEvent().isEnabled()).isFalse();
    }

    private static RecordedEvent outcome(List<RecordedEvent> events, String outcome) {
        return events.stream().filter((e) -> e.getString("outcome").equals(outcome)).findFirst().orElseThrow();
    }
}
