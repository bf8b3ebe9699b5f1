package dev.keepalive.transport;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * No header value, URI user-info or query value reaches a snapshot, a log line or an exception message
 * (with every cause and suppressed exception in its chain). Requests carry {@code Authorization: Bearer
 * s3cr3t-token} to {@code http://alice:pw@…?token=q-secret}; malformed responses carry a secret in the
 * bytes that HttpCore would quote.
 */
class SecretsTest {

    private static final String TOKEN = "s3cr3t-token";
    private static final List<String> SECRETS = List.of(TOKEN, "alice", ":pw@", "q-secret");

    private final KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
            .readTimeout(Duration.ofSeconds(5)).leakThreshold(Duration.ofMillis(100))
            .captureStack(StackCapture.ALWAYS).maxConnsPerHost(1).acquireTimeout(Duration.ofMillis(200)).build());
    private final KeepAliveRequestFactory factory = this.transport.requestFactory();

    @AfterEach
    void stop() {
        PoolAssertions.assertBalanced(this.transport);
        this.transport.close();
    }

    @Test
    void snapshotsAndLogLinesOfAnOpenSuspectAndLeakedBodyShowNoSecret() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("x".repeat(100), "X-Echo: " + TOKEN));
                DebugLog log = debugLog()) {
            ClientHttpResponse open = execute(secretUri(peer, "/open"));
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.bodies().leakSuspects() == 1);
            BodiesSnapshot bodies = this.transport.bodies();
            assertThat(bodies.bodies()).singleElement()
                    .satisfies((body) -> assertThat(body.uri()).isEqualTo(peer.route() + "/open?…"));
            assertNoSecret(bodies.toString());
            assertNoSecret(this.transport.pool().toString());

            // At the cap, the exhaustion message lists the open body.
            PoolExhaustedException exhausted = catchThrowableOfType(PoolExhaustedException.class,
                    () -> execute(secretUri(peer, "/second")));
            assertThat(exhausted).hasMessageContaining(peer.route() + "/open?…");
            assertNoSecret(exhausted);

            open.close(); // "closed after all" line
            dropUnread(secretUri(peer, "/leaked"));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                System.gc();
                return this.transport.bodies().leaked() == 1;
            });
            assertThat(log.all()).contains("Leak suspect", "leaked", "/open?…", "/leaked?…");
            assertNoSecret(log.all());
        }
    }

    /** What HttpCore quotes when it rejects a head or a chunk; the quote must not reach the message. */
    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nX-Token " + TOKEN + "\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\n X-Token: " + TOKEN + "\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 " + TOKEN + " OK\r\nContent-Length: 0\r\n\r\n",
            TOKEN + " 200 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: " + TOKEN + "\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6" + TOKEN + "\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + TOKEN + "\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + TOKEN + "\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + TOKEN + "=1\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer " + TOKEN + "\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-Long: " + TOKEN + "                                                         \r\n\r\n" })
    void malformedResponsesDoNotQuoteThePeersBytes(String response) throws Exception {
        String head = response.startsWith("HTTP/1.1 200 OK\r\nX-Long")
                ? "HTTP/1.1 200 OK\r\nX-Long: " + TOKEN + "z".repeat(70 * 1024) + "\r\n\r\n" : response;
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(head);
        }); DebugLog log = debugLog()) {
            Throwable failure = null;
            try (ClientHttpResponse r = execute(secretUri(peer, "/bad"))) {
                r.getBody().readAllBytes();
            }
            catch (IOException ex) {
                failure = ex;
            }
            if (failure != null) {
                assertThat(failure).hasMessageContaining(peer.route());
                assertNoSecret(failure);
            }
            assertNoSecret(log.all());
        }
    }

    @Test
    void timeoutsRefusalsAndRedirectLoopsShowNoSecret() throws Exception {
        try (RawPeer silent = new RawPeer((conn) -> conn.readRequest())) {
            KeepAliveRequestFactory quick = this.transport.requestFactory(
                    RequestOptions.defaults().withReadTimeout(Duration.ofMillis(200)));
            assertNoSecret(catchThrowableOfType(IOException.class,
                    () -> execute(quick, secretUri(silent, "/silent")).close()));
        }
        URI refused = URI.create("http://alice:pw@127.0.0.1:1/x?token=q-secret");
        assertNoSecret(catchThrowableOfType(IOException.class, () -> execute(refused).close()));
        URI unknown = URI.create("http://alice:pw@no-such-host.invalid/x?token=q-secret");
        assertNoSecret(catchThrowableOfType(IOException.class, () -> execute(unknown).close()));
        try (RawPeer loop = RawPeer.answering("HTTP/1.1 302 Found\r\nLocation: /again?token=q-secret\r\n"
                + "Content-Length: 0\r\n\r\n")) {
            IOException tooMany = catchThrowableOfType(IOException.class,
                    () -> execute(secretUri(loop, "/loop")).close());
            assertThat(tooMany).hasMessageContaining("redirects");
            assertNoSecret(tooMany);
        }
    }

    @Test
    void credentialsAreNotCarriedToAnotherOriginOnRedirect() throws Exception {
        try (RawPeer other = RawPeer.answering(RawPeer.ok("there"));
                RawPeer first = RawPeer.answering("HTTP/1.1 302 Found\r\nLocation: " + other.uri("/landing")
                        + "\r\nContent-Length: 0\r\n\r\n")) {
            try (ClientHttpResponse response = execute(first.uri("/start"))) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("there");
            }
            assertThat(first.received()).singleElement()
                    .satisfies((r) -> assertThat(r.text()).contains("Authorization: Bearer " + TOKEN));
            assertThat(other.received()).singleElement()
                    .satisfies((r) -> assertThat(r.text()).doesNotContain(TOKEN).doesNotContainIgnoringCase("cookie"));
        }
    }

    @Test
    void headerValuesCannotInjectHeaderLines() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("ok"))) {
            ClientHttpRequest request = this.factory.createRequest(peer.uri("/"), HttpMethod.GET);
            request.getHeaders().add("X-Note", "a\r\nX-Injected: yes");
            try (ClientHttpResponse response = request.execute()) {
                response.getBody().readAllBytes();
            }
            catch (IOException | RuntimeException rejected) {
                return; // refusing the value is fine too
            }
            assertThat(peer.received()).singleElement()
                    .satisfies((r) -> assertThat(r.text()).doesNotContain("\r\nX-Injected"));
        }
    }

    // --- helpers

    private static URI secretUri(RawPeer peer, String path) {
        return URI.create("http://alice:pw@127.0.0.1:" + peer.port() + path + "?token=q-secret");
    }

    private ClientHttpResponse execute(URI uri) throws IOException {
        return execute(this.factory, uri);
    }

    private static ClientHttpResponse execute(KeepAliveRequestFactory factory, URI uri) throws IOException {
        ClientHttpRequest request = factory.createRequest(uri, HttpMethod.GET);
        request.getHeaders().set("Authorization", "Bearer " + TOKEN);
        request.getHeaders().set("Cookie", "session=" + TOKEN);
        return request.execute();
    }

    private void dropUnread(URI uri) throws IOException {
        execute(uri); // the response is dropped here, its body open
    }

    /** Every keepalive logger, down to DEBUG. */
    private static DebugLog debugLog() {
        return new DebugLog();
    }

    /** Records every keepalive logger at DEBUG and up; closing restores the level. */
    private static final class DebugLog implements AutoCloseable {

        private final Logger logger = (Logger) LoggerFactory.getLogger("dev.keepalive");
        private final Level before = this.logger.getLevel();
        private final LogCapture capture;

        DebugLog() {
            this.logger.setLevel(Level.DEBUG);
            this.capture = new LogCapture("dev.keepalive");
        }

        String all() {
            return this.capture.all();
        }

        @Override
        public void close() {
            this.capture.close();
            this.logger.setLevel(this.before);
        }
    }

    static void assertNoSecret(Throwable failure) {
        assertThat(failure).isNotNull();
        List<Throwable> chain = new ArrayList<>();
        collect(failure, chain);
        for (Throwable t : chain) {
            assertNoSecret(String.valueOf(t));
        }
    }

    private static void collect(Throwable t, List<Throwable> into) {
        if (t == null || into.contains(t)) {
            return;
        }
        into.add(t);
        collect(t.getCause(), into);
        for (Throwable suppressed : t.getSuppressed()) {
            collect(suppressed, into);
        }
    }

    static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertThat(text).as("shown text").doesNotContain(secret);
        }
    }
}
