package dev.keepalive.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 16 against a server that closes idle connections after a timeout it does not announce: once
 * the pool has seen such a close, it retires the route's idle connections a margin before that age, so a
 * request just under the timeout goes on a new connection instead of racing the server's close. An announced
 * {@code Keep-Alive: timeout} wins, and a close that a longer successful reuse contradicts is forgotten.
 *
 * <p>The pauses are the scenario's pace (requests at chosen idle ages), not waits for a condition.
 */
class ServerIdleTimeoutTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);
    /** The server's timeout: long, so that a loaded machine's scheduling delays stay far inside its eighth. */
    private static final long TIMEOUT_MILLIS = 2000;

    private final List<RawPeer> peers = new ArrayList<>();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
        }
        finally {
            this.transport.close();
            this.peers.forEach(RawPeer::close);
        }
    }

    @Test
    void afterTheServerClosedAnIdleConnectionOnceAPostJustUnderItsTimeoutGoesOnANewConnection() throws Exception {
        RawPeer peer = closingIdleAfter(TIMEOUT_MILLIS);
        assertThat(post(peer).connectionReused).isFalse();
        pause(TIMEOUT_MILLIS + 150);
        Answer second = post(peer);
        assertThat(second.connectionReused).as("the first connection was closed by the server").isFalse();
        assertThat(closedBy(CloseReason.SERVER_CLOSE)).isEqualTo(1);

        // Learned: closed after at most about 2150 ms, so kept for an eighth less, at most about 1880 ms.
        pause(TIMEOUT_MILLIS - 50);
        Answer third = post(peer);
        assertThat(third.connectionReused).as("idle 1950 ms of the server's 2000: retired, not raced").isFalse();
        assertThat(peer.accepted()).isEqualTo(3);
        assertThat(closedBy(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(peer.received()).extracting(RawPeer.Received::connection).containsExactly(0, 1, 2);
    }

    @Test
    void anAnnouncedKeepAliveTimeoutWinsOverWhatWasLearned() throws Exception {
        // Announces 5 s, closes its first connection after 2 s idle, keeps the others.
        RawPeer peer = peer(new RawPeer((conn) -> {
            Duration idle = Duration.ofMillis(conn.index == 0 ? TIMEOUT_MILLIS : 60_000);
            while (conn.readRequest(idle) != null) {
                conn.write(RawPeer.ok("served", "Keep-Alive: timeout=5"));
            }
        }));
        post(peer);
        pause(TIMEOUT_MILLIS + 150);
        assertThat(post(peer).connectionReused).isFalse();
        assertThat(closedBy(CloseReason.SERVER_CLOSE)).isEqualTo(1);

        pause(TIMEOUT_MILLIS - 100);
        assertThat(post(peer).connectionReused).as("the server said 5 s: its word is taken").isTrue();
        assertThat(peer.accepted()).isEqualTo(2);
        assertThat(closedBy(CloseReason.IDLE_TIMEOUT)).isZero();
    }

    @Test
    void aCloseThatALongerSuccessfulReuseContradictsIsForgotten() throws Exception {
        // The first connection is dropped after 300 ms idle (a restart, a middlebox); the others are kept.
        RawPeer peer = peer(new RawPeer((conn) -> {
            while ((conn.index == 0 ? conn.readRequest(Duration.ofMillis(300)) : conn.readRequest()) != null) {
                conn.write(RawPeer.ok("served"));
            }
        }));
        ClientHttpResponse a = this.factory.createRequest(peer.uri("/a"), HttpMethod.GET).execute();
        ClientHttpResponse b = this.factory.createRequest(peer.uri("/b"), HttpMethod.GET).execute();
        readAndClose(a);
        readAndClose(b);
        long released = System.nanoTime();
        await("the sweep finds the dropped connection").atMost(PATIENCE)
                .until(() -> closedBy(CloseReason.SERVER_CLOSE) == 1);

        // Released before anything was learned, the other connection is reused after idle 1 s: the server keeps
        // connections longer than the close suggested.
        pause(1000 - (System.nanoTime() - released) / 1_000_000);
        assertThat(get(peer).connectionReused).isTrue();
        pause(900);
        assertThat(get(peer).connectionReused).as("idle 900 ms, nothing learned any more").isTrue();
        assertThat(peer.accepted()).isEqualTo(2);
        assertThat(closedBy(CloseReason.IDLE_TIMEOUT)).isZero();
    }

    // --- helpers

    private record Answer(String body, boolean connectionReused) {
    }

    /** A server that closes a connection idle for {@code millis}, announcing nothing. */
    private RawPeer closingIdleAfter(long millis) throws IOException {
        return peer(new RawPeer((conn) -> {
            while (conn.readRequest(Duration.ofMillis(millis)) != null) {
                conn.write(RawPeer.ok("served"));
            }
        }));
    }

    private RawPeer peer(RawPeer peer) {
        this.peers.add(peer);
        return peer;
    }

    /** A POST with a streamed body: never sent twice, so a request raced by the server's close would fail. */
    private Answer post(RawPeer peer) throws IOException {
        ClientHttpRequest request = this.factory.createRequest(peer.uri("/orders"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) request).setBody((out) -> out.write("order".getBytes(StandardCharsets.UTF_8)));
        return answer(request.execute());
    }

    private Answer get(RawPeer peer) throws IOException {
        return answer(this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute());
    }

    private static Answer answer(ClientHttpResponse response) throws IOException {
        try (response) {
            String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).isEqualTo("served");
            return new Answer(body, ((TrackedResponse) response).connectionReused());
        }
    }

    private static void readAndClose(ClientHttpResponse response) throws IOException {
        answer(response);
    }

    private long closedBy(CloseReason reason) {
        return this.transport.pool().closedBy().get(reason);
    }

    /** The scenario's pace between two requests, not a wait for a condition. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(Math.max(millis, 0));
    }
}
