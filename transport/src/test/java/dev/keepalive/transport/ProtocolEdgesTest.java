package dev.keepalive.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Protocol edges of design §3 rules 9, 10 and 17, at the byte level: a response framed both ways, a
 * {@code Keep-Alive: timeout=0}, and a reused connection that fails after its response began (not stale, so
 * never retried). Each ends with balanced counts and no socket left open.
 */
class ProtocolEdgesTest {

    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .readTimeout(Duration.ofSeconds(5)).build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.pool().active()).isZero();
        }
        finally {
            this.transport.close();
        }
    }

    @Test
    void responseWithTransferEncodingAndContentLengthIsAProtocolErrorAndItsConnectionIsClosed() throws Exception {
        try (RawPeer peer = RawPeer.answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"
                + "X-Marker: s3cr3t-value\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) {
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(peer, "/both"))
                    .withMessageContaining("GET " + peer.uri("/both"))
                    .withMessageContaining(peer.route())
                    .withMessageContaining("both Transfer-Encoding and Content-Length")
                    .withMessageNotContaining("s3cr3t")
                    .withMessageNotContaining("hello");

            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            PoolSnapshot pool = this.transport.pool();
            assertThat(pool.idle()).isZero();
            assertThat(pool.opened()).isEqualTo(pool.closed()).isEqualTo(1);
            assertThat(pool.closedBy().get(CloseReason.ERROR)).isEqualTo(1);
        }
    }

    @Test
    void keepAliveTimeoutZeroMeansTheConnectionIsNotKept() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("zero", "Keep-Alive: timeout=0, max=100"))) {
            assertThat(get(peer, "/a")).isEqualTo("zero");
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            assertThat(this.transport.pool().idle()).isZero();

            assertThat(get(peer, "/b")).isEqualTo("zero");
            assertThat(peer.accepted()).isEqualTo(2);
            assertThat(peer.received()).extracting(RawPeer.Received::connection).containsExactly(0, 1);
        }
    }

    @Test
    void keepAliveTimeoutAboveZeroStillPools() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("five", "Keep-Alive: timeout=5"))) {
            assertThat(get(peer, "/a")).isEqualTo("five");
            assertThat(get(peer, "/b")).isEqualTo("five");
            assertThat(peer.accepted()).isEqualTo(1);
            assertThat(this.transport.pool().idle()).isEqualTo(1);
        }
    }

    /** Rule 10: bytes of the response had arrived, so the connection was not stale: the GET is not replayed. */
    @Test
    void resetAfterResponseBytesOnAReusedConnectionIsNotRetried() throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(RawPeer.ok("first"));
            if (conn.index == 0) {
                conn.readRequest();
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n");
                conn.pause(Duration.ofMillis(200)); // the client reads these bytes before the reset
                conn.reset();
            }
        })) {
            assertThat(get(peer, "/a")).isEqualTo("first");

            assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(peer, "/b"))
                    .withMessageContaining("GET " + peer.uri("/b"))
                    .withMessageContaining(peer.route())
                    .withMessageContaining("(reused)");

            assertThat(peer.accepted()).as("not replayed on a new connection").isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
        }
    }

    /** The control: the same reset before any response byte is a stale connection, and the GET is retried. */
    @Test
    void resetBeforeAnyResponseByteOnAReusedConnectionIsRetried() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (RawPeer peer = new RawPeer((conn) -> {
            while (conn.readRequest() != null) {
                if (requests.incrementAndGet() == 2) {
                    conn.reset();
                    return;
                }
                conn.write(RawPeer.ok("answer"));
            }
        })) {
            assertThat(get(peer, "/a")).isEqualTo("answer");

            assertThat(get(peer, "/b")).isEqualTo("answer");

            assertThat(peer.accepted()).isEqualTo(2);
            assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        }
    }

    private String get(RawPeer peer, String path) throws IOException {
        try (ClientHttpResponse response = this.factory.createRequest(peer.uri(path), HttpMethod.GET).execute()) {
            return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
