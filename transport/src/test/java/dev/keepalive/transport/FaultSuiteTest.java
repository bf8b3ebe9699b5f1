package dev.keepalive.transport;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLException;

import dev.keepalive.transport.internal.exchange.Engine;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Bad servers and bad networks, each on a raw peer on 127.0.0.1: the caller gets an exception whose message
 * names the route and the cause (or the server's response), the pool's counts balance, no connection stays
 * in the pool, and the peer sees its socket closed. Malformed status lines and chunk sizes, header lines
 * without a colon, no response, refused connections and unknown hosts are in {@link BadInputTest}; a body
 * cut short by a close in {@link ConnectionReuseRulesTest}.
 */
class FaultSuiteTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    private void start(KeepAliveSettings.Builder settings) {
        start(settings, RequestOptions.defaults());
    }

    private void start(KeepAliveSettings.Builder settings, RequestOptions options) {
        this.transport = KeepAliveTransport.create(settings.build());
        this.factory = this.transport.requestFactory(options);
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            PoolSnapshot pool = this.transport.pool();
            assertThat(pool.active()).as("active").isZero();
            assertThat(pool.idle()).as("idle").isZero();
            assertThat(pool.routes()).allSatisfy((route) -> assertThat(route.connections()).isEmpty());
            assertThat(this.transport.bodies().open()).isZero();
        }
        finally {
            this.transport.close();
        }
    }

    @Test
    void resetInTheMiddleOfABody() throws Exception {
        start(KeepAliveSettings.builder());
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(10_000));
            conn.reset();
        })) {
            try (ClientHttpResponse response = get(peer, "/reset")) {
                assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route())
                        .withMessageContaining("/reset")
                        .withMessageContaining("Connection reset");
            }
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
            assertPeerClosed(peer);
        }
    }

    @Test
    void headerLineOver64KiB() throws Exception {
        start(KeepAliveSettings.builder());
        assertBadHead("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(70 * 1024) + "\r\nContent-Length: 0\r\n\r\n")
                .withMessageContaining("line length");
    }

    @Test
    void headerLinesOver64KiBInTotalAreAcceptedUpToTheHeadLimit() throws Exception {
        start(KeepAliveSettings.builder());
        String head = headerLines(100, 1024); // 100 KiB in 100 lines: big, but real servers send such heads
        try (RawPeer peer = RawPeer.answering("HTTP/1.1 200 OK\r\n" + head + "Content-Length: 2\r\n\r\nok")) {
            try (ClientHttpResponse response = get(peer, "/big-head")) {
                assertThat(response.getHeaders().get("X-Line-99")).isNotNull();
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("ok");
            }
            assertThat(this.transport.pool().idle()).isEqualTo(1);
            this.transport.close();
            assertPeerClosed(peer);
        }
    }

    @Test
    void headerLinesOverTheHeadLimitInTotal() throws Exception {
        start(KeepAliveSettings.builder());
        // 300 lines of 4 KiB: under the per-line and per-count limits, 1.2 MiB in all.
        assertBadHead("HTTP/1.1 200 OK\r\n" + headerLines(300, 4096) + "Content-Length: 0\r\n\r\n")
                .withMessageContaining("Response head exceeds " + Engine.MAX_RESPONSE_HEAD_BYTES + " bytes");
    }

    @Test
    void tooManyHeaderLines() throws Exception {
        start(KeepAliveSettings.builder());
        assertBadHead("HTTP/1.1 200 OK\r\n" + headerLines(600, 10) + "Content-Length: 0\r\n\r\n")
                .withMessageContaining("header count");
    }

    @Test
    void headersSlowerThanResponseHeaderTimeout() throws Exception {
        start(KeepAliveSettings.builder().responseHeaderTimeout(Duration.ofMillis(300)));
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest(); // and then nothing: the headers never come
        })) {
            assertTimeoutPreemptively(PATIENCE, () -> assertFailure(peer, "/slow-head")
                    .isInstanceOf(SocketTimeoutException.class)
                    .withMessageContaining("no response headers within 300 ms (response-header-timeout)"));
            assertPeerClosed(peer);
        }
    }

    @Test
    void headersTrickledSlowerThanResponseHeaderTimeoutInAll() throws Exception {
        start(KeepAliveSettings.builder().responseHeaderTimeout(Duration.ofMillis(500)));
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 100; i++) { // one line every 100 ms: each read is quick, the head is not
                conn.pause(Duration.ofMillis(100));
                conn.write("X-Trickle-" + i + ": x\r\n");
            }
        })) {
            assertTimeoutPreemptively(PATIENCE, () -> assertFailure(peer, "/trickle")
                    .isInstanceOf(SocketTimeoutException.class)
                    .withMessageContaining("no response headers within 500 ms (response-header-timeout)"));
            assertPeerClosed(peer);
        }
    }

    @Test
    void serverThatNeverAnswersHitsTheReadTimeout() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofMillis(300)));
        try (RawPeer peer = new RawPeer((conn) -> conn.readRequest())) {
            assertTimeoutPreemptively(PATIENCE, () -> assertFailure(peer, "/silent")
                    .isInstanceOf(SocketTimeoutException.class)
                    .withMessageContaining("no data for 300 ms (read-timeout)"));
            assertPeerClosed(peer);
        }
    }

    @Test
    void bodySlowerThanTheReadTimeout() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofMillis(300)));
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst bytes");
        })) {
            try (ClientHttpResponse response = get(peer, "/stalls")) {
                assertThatExceptionOfType(SocketTimeoutException.class)
                        .isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route())
                        .withMessageContaining("after 11 bytes")
                        .withMessageContaining("no data for 300 ms (read-timeout)");
            }
            assertPeerClosed(peer);
        }
    }

    @Test
    void serverAnswers413AndClosesBeforeReadingALargeBody() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofSeconds(5)));
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo big!");
            conn.socket.shutdownOutput();
            conn.awaitClientClose(); // a lingering close: read and drop the rest, so that no reset loses the answer
        })) {
            assertTimeoutPreemptively(PATIENCE, () -> {
                try (ClientHttpResponse response = post(peer, "/upload", 8 << 20)) {
                    assertThat(response.getStatusCode().value()).isEqualTo(413);
                    assertThat(response.getBody().readAllBytes()).asString().isEqualTo("too big!");
                }
            });
            assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
            assertPeerClosed(peer);
        }
    }

    @Test
    void serverAnswersWithoutEverReadingALargeBody() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofSeconds(5)));
        CountDownLatch answered = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\n\r\ntoo big!");
            // Then neither reads nor closes until the client has its answer: a client that reads only after
            // writing the whole body would hang here.
            answered.await();
        })) {
            assertTimeoutPreemptively(PATIENCE, () -> {
                try (ClientHttpResponse response = post(peer, "/upload", 8 << 20)) {
                    assertThat(response.getStatusCode().value()).isEqualTo(413);
                    assertThat(response.getBody().readAllBytes()).asString().isEqualTo("too big!");
                }
            });
            answered.countDown();
            assertThat(this.transport.pool().idle()).as("the rest of the body was never sent: not reusable").isZero();
            assertPeerClosed(peer);
        }
    }

    @Test
    void largeUploadReadByTheServerKeepsItsConnection() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofSeconds(5)));
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("stored"))) {
            try (ClientHttpResponse response = post(peer, "/upload", 8 << 20)) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("stored");
            }
            assertThat(peer.received()).singleElement().satisfies((r) -> assertThat(r.body()).hasSize(8 << 20));
            assertThat(this.transport.pool().idle()).as("no early response: the connection is reused").isEqualTo(1);
            this.transport.close();
            assertPeerClosed(peer);
        }
    }

    @Test
    void serverResetsBeforeReadingALargeBody() throws Exception {
        start(KeepAliveSettings.builder().readTimeout(Duration.ofSeconds(5)));
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo big!");
            conn.reset();
        })) {
            assertTimeoutPreemptively(PATIENCE, () -> {
                // Either the answer made it before the reset, or a clear error: never a hang.
                try (ClientHttpResponse response = post(peer, "/upload", 8 << 20)) {
                    assertThat(response.getStatusCode().value()).isEqualTo(413);
                }
                catch (IOException ex) {
                    assertThat(ex).hasMessageContaining(peer.route()).hasMessageContaining("POST");
                }
            });
            assertPeerClosed(peer);
        }
    }

    @Test
    void selfSignedCertificateIsRefusedByDefault() throws Exception {
        start(KeepAliveSettings.builder());
        HeldCertificate certificate = certificateFor("127.0.0.1");
        try (RawPeer peer = tlsPeer(certificate)) {
            assertFailure(peer, "/").isInstanceOf(SSLException.class)
                    .withMessageContaining("TLS handshake with " + peer.route() + " failed")
                    .withMessageContaining("PKIX");
            assertPeerClosed(peer);
        }
    }

    @Test
    void certificateForAnotherHostIsRefusedByDefault() throws Exception {
        start(KeepAliveSettings.builder());
        try (RawPeer peer = tlsPeer(certificateFor("other.example"))) {
            assertFailure(peer, "/").isInstanceOf(SSLException.class)
                    .withMessageContaining("TLS handshake with " + peer.route() + " failed");
            assertPeerClosed(peer);
        }
    }

    @Test
    void selfSignedCertificateIsAcceptedWhenTrusted() throws Exception {
        HeldCertificate certificate = certificateFor("127.0.0.1");
        start(KeepAliveSettings.builder(), RequestOptions.defaults().withTls(trusting(certificate), null));
        try (RawPeer peer = tlsPeer(certificate)) {
            try (ClientHttpResponse response = get(peer, "/")) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("secure");
            }
            assertThat(this.transport.pool().route(peer.route()).orElseThrow().idle()).isEqualTo(1);
            this.transport.close();
            assertPeerClosed(peer);
        }
    }

    @Test
    void certificateForAnotherHostIsRefusedEvenWhenTrusted() throws Exception {
        HeldCertificate certificate = certificateFor("other.example");
        start(KeepAliveSettings.builder(), RequestOptions.defaults().withTls(trusting(certificate), null));
        try (RawPeer peer = tlsPeer(certificate)) {
            assertFailure(peer, "/").isInstanceOf(SSLException.class)
                    .withMessageContaining("TLS handshake with " + peer.route() + " failed")
                    .withMessageContaining("127.0.0.1");
            assertPeerClosed(peer);
        }
    }

    // --- helpers

    private ClientHttpResponse get(RawPeer peer, String path) throws IOException {
        return this.factory.createRequest(peer.uri(path), HttpMethod.GET).execute();
    }

    private ClientHttpResponse post(RawPeer peer, String path, int bytes) throws IOException {
        ClientHttpRequest request = this.factory.createRequest(peer.uri(path), HttpMethod.POST);
        byte[] body = new byte[bytes];
        Arrays.fill(body, (byte) 'u');
        request.getBody().write(body);
        return request.execute();
    }

    /** The GET fails with an exception naming the method, the URI and the route. */
    private ThrowableAssertAlternative<IOException> assertFailure(RawPeer peer, String path) {
        return assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(peer, path).close())
                .withMessageContaining("GET " + peer.uri(path))
                .withMessageContaining(peer.route());
    }

    /** The peer answers {@code head}; the request fails as a malformed response, and its connection is closed. */
    private ThrowableAssertAlternative<IOException> assertBadHead(String head) throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(head);
        })) {
            ThrowableAssertAlternative<IOException> failure = assertFailure(peer, "/bad-head");
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertPeerClosed(peer);
            return failure;
        }
    }

    private static void assertPeerClosed(RawPeer peer) {
        await("the peer's sockets are closed").atMost(PATIENCE).until(() -> peer.open() == 0);
    }

    private static String headerLines(int count, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String name = "X-Line-" + i + ": ";
            sb.append(name).append("v".repeat(Math.max(1, length - name.length() - 2))).append("\r\n");
        }
        return sb.toString();
    }

    static HeldCertificate certificateFor(String host) {
        return new HeldCertificate.Builder().commonName(host).addSubjectAlternativeName(host).build();
    }

    static javax.net.ssl.SSLContext trusting(HeldCertificate certificate) {
        return new HandshakeCertificates.Builder().addTrustedCertificate(certificate.certificate()).build().sslContext();
    }

    /** A TLS peer presenting {@code certificate} that answers "secure" to every request. */
    private static RawPeer tlsPeer(HeldCertificate certificate) throws IOException {
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
        return RawPeer.tls(server.sslContext().getServerSocketFactory(), (conn) -> {
            while (conn.readRequest() != null) {
                conn.write(RawPeer.ok("secure"));
            }
        });
    }
}
