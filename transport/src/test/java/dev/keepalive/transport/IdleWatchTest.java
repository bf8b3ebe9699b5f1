package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.keepalive.transport.internal.body.Housekeeper;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 16: a connection that the server closes (FIN) or resets while it sits idle leaves the pool
 * in the background, counted {@code server-close}, without a request being written into it; a request after
 * such a close goes on a new connection; a live idle connection checked (plain or TLS) stays usable.
 */
class IdleWatchTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final List<AutoCloseable> peers = new ArrayList<>();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    private void start(RequestOptions options) {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        this.factory = this.transport.requestFactory(options);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.pool().active()).isZero();
        }
        finally {
            this.transport.close();
            for (AutoCloseable peer : this.peers) {
                peer.close();
            }
        }
    }

    @Test
    void idleConnectionTheServerClosesLeavesThePoolWithoutARequestWrittenIntoIt() throws Exception {
        start(RequestOptions.defaults());
        CountDownLatch idle = new CountDownLatch(1);
        AtomicLong bytesAfterFin = new AtomicLong(-1);
        RawPeer peer = peer((conn) -> {
            conn.readRequest();
            conn.write(RawPeer.ok("bye"));
            idle.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            // FIN, then keep reading: anything the client writes from now on is counted.
            conn.socket.shutdownOutput();
            bytesAfterFin.set(countUntilClientCloses(conn.socket.getInputStream()));
        });
        assertThat(get(peer)).isEqualTo("bye");
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        idle.countDown();

        await("the sweep closes the connection").atMost(PATIENCE).until(() -> this.transport.pool().idle() == 0);
        await("the client closed its socket").atMost(PATIENCE).until(() -> bytesAfterFin.get() >= 0);
        assertThat(bytesAfterFin.get()).as("bytes the client wrote after the server's FIN").isZero();
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isZero();
        assertThat(peer.received()).hasSize(1);
    }

    @Test
    void idleConnectionTheServerResetsLeavesThePool() throws Exception {
        start(RequestOptions.defaults());
        CountDownLatch idle = new CountDownLatch(1);
        RawPeer peer = peer((conn) -> {
            conn.readRequest();
            conn.write(RawPeer.ok("bye"));
            idle.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            conn.reset();
        });
        assertThat(get(peer)).isEqualTo("bye");
        idle.countDown();
        await().atMost(PATIENCE).until(() -> peer.open() == 0);

        await("the sweep closes the connection").atMost(PATIENCE).until(() -> this.transport.pool().idle() == 0);
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isZero();
        assertThat(peer.accepted()).isEqualTo(1);
        assertThat(peer.received()).hasSize(1);
    }

    @Test
    void postAfterTheServerClosedTheIdleConnectionGoesOnANewConnection() throws Exception {
        start(RequestOptions.defaults());
        RawPeer peer = peer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                conn.write(RawPeer.ok("hello " + request.substring(0, request.indexOf(' '))));
                if (request.startsWith("GET")) {
                    conn.close(); // the server's idle close, right after the first exchange
                    return;
                }
            }
        });
        assertThat(get(peer)).isEqualTo("hello GET");
        await().atMost(PATIENCE).until(() -> peer.open() == 0);

        // Not replayable (a streamed body, no idempotency key): were it written into the closed connection, it
        // would fail, not be retried.
        ClientHttpRequest post = this.factory.createRequest(peer.uri("/orders"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) post).setBody((out) -> out.write("once".getBytes(StandardCharsets.UTF_8)));
        try (ClientHttpResponse response = post.execute()) {
            assertThat(response.getBody().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hello POST");
            assertThat(((TrackedResponse) response).connectionReused()).isFalse();
        }

        assertThat(peer.received()).extracting(RawPeer.Received::connection).containsExactly(0, 1);
        assertThat(peer.received().get(1).body()).isEqualTo("once");
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isZero();
    }

    @Test
    void liveIdleConnectionsStayUsableAndInLifoOrderAfterBeingChecked() throws Exception {
        start(RequestOptions.defaults().withReadTimeout(Duration.ofSeconds(5)));
        RawPeer peer = peer(RawPeer.answering(RawPeer.ok("alive")));
        ClientHttpResponse first = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute();
        ClientHttpResponse second = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute();
        long a = ((TrackedResponse) first).connectionId();
        long b = ((TrackedResponse) second).connectionId();
        readAndClose(first);
        readAndClose(second); // b is the most recently released
        awaitSweeps();

        ClientHttpResponse again = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute();
        assertThat(((TrackedResponse) again).connectionId()).as("LIFO kept across the sweep").isEqualTo(b);
        assertThat(((TrackedResponse) again).connectionReused()).isTrue();
        readAndClose(again);
        assertThat(this.transport.pool().idle()).isEqualTo(2);
        assertThat(this.transport.pool().closedBy().values()).allMatch((n) -> n == 0);
        assertThat(peer.accepted()).isEqualTo(2);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void liveIdleTlsConnectionIsReusedAfterBeingChecked() throws Exception {
        HeldCertificate certificate = FaultSuiteTest.certificateFor("127.0.0.1");
        start(RequestOptions.defaults().withReadTimeout(Duration.ofSeconds(5))
                .withTls(FaultSuiteTest.trusting(certificate), null));
        RawPeer peer = tlsPeer(certificate, false);
        assertThat(get(peer)).isEqualTo("secure");
        awaitSweeps();

        assertThat(get(peer)).isEqualTo("secure");
        assertThat(peer.accepted()).isEqualTo(1);
        assertThat(this.transport.pool().reused()).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().values()).allMatch((n) -> n == 0);
    }

    @Test
    void idleTlsConnectionTheServerClosesLeavesThePool() throws Exception {
        HeldCertificate certificate = FaultSuiteTest.certificateFor("127.0.0.1");
        start(RequestOptions.defaults().withTls(FaultSuiteTest.trusting(certificate), null));
        RawPeer peer = tlsPeer(certificate, true);
        assertThat(get(peer)).isEqualTo("secure");

        await("the sweep closes the connection").atMost(PATIENCE).until(() -> this.transport.pool().idle() == 0);
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(peer.received()).hasSize(1);

        assertThat(get(peer)).as("the next request on a new connection").isEqualTo("secure");
        assertThat(peer.accepted()).isEqualTo(2);
    }

    // --- helpers

    private RawPeer peer(RawPeer.Script script) throws IOException {
        return peer(new RawPeer(script));
    }

    private RawPeer peer(RawPeer peer) {
        this.peers.add(peer);
        return peer;
    }

    /** A TLS peer answering "secure"; with {@code closeAfterFirst} it closes (close_notify, FIN) after one answer. */
    private RawPeer tlsPeer(HeldCertificate certificate, boolean closeAfterFirst) throws IOException {
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
        return peer(RawPeer.tls(server.sslContext().getServerSocketFactory(), (conn) -> {
            while (conn.readRequest() != null) {
                conn.write(RawPeer.ok("secure"));
                if (closeAfterFirst) {
                    conn.close();
                    return;
                }
            }
        }));
    }

    private String get(RawPeer peer) throws IOException {
        try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute()) {
            return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Waits until every idle connection has been idle long enough for at least two background sweeps. */
    private void awaitSweeps() {
        long sweeps = 2 * Housekeeper.IDLE_CHECK_MILLIS + 100;
        await().atMost(PATIENCE).until(() -> this.transport.pool().routes().stream()
                .flatMap((route) -> route.connections().stream())
                .allMatch((conn) -> conn.idleMillis() > sweeps));
    }

    private static void readAndClose(ClientHttpResponse response) throws IOException {
        try (response) {
            assertThat(response.getBody().readAllBytes()).isNotEmpty();
        }
    }

    private static long countUntilClientCloses(InputStream in) throws IOException {
        long count = 0;
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            count += n;
        }
        return count;
    }
}
