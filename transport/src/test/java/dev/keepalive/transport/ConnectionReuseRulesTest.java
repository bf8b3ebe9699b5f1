package dev.keepalive.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rules 9 and 13: a connection that the server marked {@code Connection: close}, an HTTP/1.0
 * response without keep-alive, a body cut short, and every connection under {@code disable-keep-alives}
 * never go back to the pool.
 */
class ConnectionReuseRulesTest {

    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    private KeepAliveRequestFactory factory(KeepAliveSettings.Builder settings) {
        this.transport = KeepAliveTransport.create(settings.build());
        this.factory = this.transport.requestFactory();
        return this.factory;
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
    void connectionCloseResponseIsNotPooled() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("bye", "Connection: close"))) {
            assertThat(get(peer.uri("/"))).isEqualTo("bye");
            assertThat(get(peer.uri("/"))).isEqualTo("bye");

            assertNotPooled(peer, 2);
        }
    }

    @Test
    void http10ResponseWithoutKeepAliveIsNotPooled() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = RawPeer.answering("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold")) {
            assertThat(get(peer.uri("/"))).isEqualTo("old");
            assertThat(get(peer.uri("/"))).isEqualTo("old");

            assertNotPooled(peer, 2);
        }
    }

    @Test
    void http10ResponseWithKeepAliveIsPooled() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = RawPeer.answering(
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nold")) {
            assertThat(get(peer.uri("/"))).isEqualTo("old");
            assertThat(get(peer.uri("/"))).isEqualTo("old");

            assertThat(peer.accepted()).isEqualTo(1);
            assertThat(this.transport.pool().idle()).isEqualTo(1);
        }
    }

    @Test
    void bodyCutShortIsAnErrorAndItsConnectionIsDropped() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "0123456789");
            conn.close();
        })) {
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/short"), HttpMethod.GET).execute()) {
                assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route())
                        .withMessageContaining("/short")
                        .withMessageContaining("10 bytes");
            }

            PoolSnapshot pool = this.transport.pool();
            assertThat(pool.closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertThat(pool.idle()).isZero();
            assertThat(this.transport.bodies().open()).isZero();
            assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
        }
    }

    @Test
    void chunkedBodyCutShortIsAnErrorAndItsConnectionIsDropped() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789");
            conn.close();
        })) {
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute()) {
                assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route());
            }

            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertThat(this.transport.pool().idle()).isZero();
        }
    }

    @Test
    void disableKeepAlivesUsesEachConnectionForOneRequest() throws Exception {
        factory(KeepAliveSettings.builder().disableKeepAlives(true));
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            for (int i = 0; i < 3; i++) {
                server.enqueue(new MockResponse.Builder().body("one-shot").build());
            }
            RestTemplate template = new RestTemplate(this.factory);
            URI uri = URI.create("http://127.0.0.1:" + server.getPort() + "/");
            for (int i = 0; i < 3; i++) {
                assertThat(template.getForObject(uri, String.class)).isEqualTo("one-shot");
            }

            for (int i = 0; i < 3; i++) {
                RecordedRequest request = server.takeRequest();
                assertThat(request.getConnectionIndex()).isEqualTo(i);
                assertThat(request.getHeaders().get("Connection")).isEqualTo("close");
            }
            PoolSnapshot pool = this.transport.pool();
            assertThat(pool.opened()).isEqualTo(3);
            assertThat(pool.reused()).isZero();
            assertThat(pool.idle()).isZero();
            assertThat(pool.closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(3);
        }
    }

    @Test
    void requestSentWithConnectionCloseIsNotPooled() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("fine"))) {
            for (int i = 0; i < 2; i++) {
                ClientHttpRequest request = this.factory.createRequest(peer.uri("/"), HttpMethod.GET);
                request.getHeaders().set("Connection", "close");
                try (ClientHttpResponse response = request.execute()) {
                    assertThat(response.getBody().readAllBytes()).asString().isEqualTo("fine");
                }
            }

            assertNotPooled(peer, 2);
        }
    }

    @Test
    void responsesWithoutBodyFreeTheConnectionAtOnce() throws Exception {
        factory(KeepAliveSettings.builder());
        try (RawPeer peer = new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                if (request.startsWith("HEAD")) {
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"); // the length GET would have
                }
                else if (request.startsWith("GET /same")) {
                    conn.write("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
                }
                else if (request.startsWith("DELETE")) {
                    conn.write("HTTP/1.1 204 No Content\r\n\r\n");
                }
                else {
                    conn.write(RawPeer.ok("full"));
                }
            }
        })) {
            for (HttpMethod method : new HttpMethod[] { HttpMethod.HEAD, HttpMethod.DELETE }) {
                try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/"), method).execute()) {
                    assertThat(this.transport.pool().active()).as("free before close: no body to read").isZero();
                    assertThat(response.getBody().readAllBytes()).isEmpty();
                }
            }
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/same"), HttpMethod.GET).execute()) {
                assertThat(response.getStatusCode().value()).isEqualTo(304);
                assertThat(this.transport.pool().active()).isZero();
            }
            assertThat(get(peer.uri("/"))).isEqualTo("full");

            assertThat(peer.accepted()).as("every exchange on one connection").isEqualTo(1);
            assertThat(this.transport.pool().reused()).isEqualTo(3);
            assertThat(this.transport.bodies().opened()).isEqualTo(1);
        }
    }

    /** Each request had its own connection, closed by the transport, counted as server-close, none idle. */
    private void assertNotPooled(RawPeer peer, int requests) {
        assertThat(peer.accepted()).isEqualTo(requests);
        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.idle()).isZero();
        assertThat(pool.reused()).isZero();
        assertThat(pool.closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(requests);
        await("the client closed its sockets").atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
    }

    private String get(URI uri) throws IOException {
        try (ClientHttpResponse response = this.factory.createRequest(uri, HttpMethod.GET).execute()) {
            return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
