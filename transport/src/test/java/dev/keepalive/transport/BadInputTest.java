package dev.keepalive.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Malformed URLs, unknown hosts, refused connections and malformed responses raise exceptions whose
 * message names the route (or the URL) and the cause; afterwards the counts balance and no socket is open.
 */
class BadInputTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() {
        // A read timeout so that a response the transport fails to reject shows up as a failure, not a hang.
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().readTimeout(Duration.ofSeconds(5)).build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            PoolSnapshot pool = this.transport.pool();
            assertThat(pool.active()).isZero();
            assertThat(pool.idle()).isZero();
            assertThat(pool.routes()).allSatisfy((route) -> assertThat(route.connections()).isEmpty());
            assertThat(this.transport.bodies().open()).isZero();
        }
        finally {
            this.transport.close();
        }
    }

    @Test
    void urlWithoutHost() {
        get(URI.create("http:///nohost")).withMessageContaining("nohost").withMessageContaining("No host in");
        get(URI.create("http://:8080/x")).withMessageContaining("No host");
        assertThat(this.transport.pool().opened()).isZero();
    }

    @Test
    void unsupportedScheme() {
        get(URI.create("ftp://127.0.0.1:2121/file.txt"))
                .withMessageContaining("ftp://127.0.0.1:2121/file.txt")
                .withMessageContaining("Unsupported scheme 'ftp'");
        assertThat(this.transport.pool().opened()).isZero();
    }

    @Test
    void relativeUrl() {
        get(URI.create("/just/a/path")).withMessageContaining("/just/a/path");
    }

    @Test
    void unknownHost() {
        get(URI.create("http://no-such-host.invalid/")).isInstanceOf(UnknownHostException.class)
                .withMessageContaining("http://no-such-host.invalid:80")
                .withMessageContaining("Unknown host");
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
    }

    @Test
    void refusedConnection() throws IOException {
        int port = closedPort();
        get(URI.create("http://127.0.0.1:" + port + "/")).isInstanceOf(ConnectException.class)
                .withMessageContaining("http://127.0.0.1:" + port)
                .withMessageContaining("refused");
    }

    @Test
    void refusedConnectionThroughRestClientKeepsTheMessage() throws IOException {
        int port = closedPort();
        RestClient client = RestClient.builder().requestFactory(this.factory).build();
        assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> client.get().uri("http://127.0.0.1:" + port + "/").retrieve().body(String.class))
                .withMessageContaining("http://127.0.0.1:" + port)
                .withMessageContaining("refused")
                .withCauseInstanceOf(ConnectException.class);
    }

    @Test
    void malformedStatusLine() throws Exception {
        assertMalformedHead("HTTP/1.1 two-hundred OK\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void notHttpAtAll() throws Exception {
        assertMalformedHead("SSH-2.0-OpenSSH_9.6\r\n\r\n");
    }

    @Test
    void malformedHeaderLine() throws Exception {
        assertMalformedHead("HTTP/1.1 200 OK\r\nthis line has no colon\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void noResponseAtAll() throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.close();
        })) {
            get(peer.uri("/")).withMessageContaining(peer.route()).withMessageContaining("NoHttpResponseException");
            assertThat(peer.accepted()).isEqualTo(1);
        }
    }

    @Test
    void malformedChunkSize() throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n0\r\n\r\n");
        })) {
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/chunks"), HttpMethod.GET).execute()) {
                assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route())
                        .withMessageContaining("/chunks")
                        .withMessageContaining("MalformedChunkCodingException");
            }
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
            await().atMost(PATIENCE).until(() -> peer.open() == 0);
        }
    }

    @Test
    void invalidContentLengthHeaderOnAStreamingBodyDoesNotLeakTheConnection() throws Exception {
        this.transport.close();
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofMillis(500)).build());
        this.factory = this.transport.requestFactory();
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("fine", "Connection: close"))) {
            ClientHttpRequest post = this.factory.createRequest(peer.uri("/upload"), HttpMethod.POST);
            post.getHeaders().set("Content-Length", "twelve");
            ((StreamingHttpOutputMessage) post).setBody((out) -> out.write("twelve bytes".getBytes()));

            assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(post::execute)
                    .withMessageContaining("Content-Length").withMessageNotContaining("twelve");

            assertThat(this.transport.pool().active()).as("no connection held by the failed request").isZero();
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/"), HttpMethod.GET).execute()) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("fine");
            }
        }
    }

    /** The peer answers {@code head}; the request fails naming the route, and the client closes its socket. */
    private void assertMalformedHead(String head) throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(head);
        })) {
            get(peer.uri("/bad")).withMessageContaining(peer.route())
                    .withMessageContaining("/bad")
                    .withMessageContaining("malformed response");
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            await("the client closed the socket").atMost(PATIENCE).until(() -> peer.open() == 0);
        }
    }

    private ThrowableAssertAlternative<IOException> get(URI uri) {
        return assertThatExceptionOfType(IOException.class)
                .isThrownBy(() -> this.factory.createRequest(uri, HttpMethod.GET).execute().close());
    }

    /** A port on 127.0.0.1 that was bound a moment ago and is now closed: connecting to it is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        }
    }
}
