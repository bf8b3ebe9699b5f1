package dev.keepalive.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rules 1, 2, 3, 5 and 6: idle connections are handed out LIFO, capped per host and across hosts
 * (closing the least recently used), closed after the idle timeout or the server's shorter
 * {@code Keep-Alive: timeout} without any request arriving, and not reused past their lifetime.
 */
class IdlePoolTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final List<AutoCloseable> servers = new ArrayList<>();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    private void start(KeepAliveSettings.Builder settings) {
        this.transport = KeepAliveTransport.create(settings.build());
        this.factory = this.transport.requestFactory();
    }

    private RawPeer peer(String... headers) throws IOException {
        RawPeer peer = RawPeer.answering(RawPeer.ok("idle pool", headers));
        this.servers.add(peer);
        return peer;
    }

    @AfterEach
    void stop() throws Exception {
        try {
            PoolAssertions.assertBalanced(this.transport);
        }
        finally {
            this.transport.close();
            for (AutoCloseable server : this.servers) {
                server.close();
            }
        }
    }

    @Test
    void idleConnectionIsClosedInTheBackgroundAfterTheIdleTimeout() throws Exception {
        start(KeepAliveSettings.builder().idleConnTimeout(Duration.ofMillis(300)));
        RawPeer peer = peer();
        readAndClose(execute(peer.uri("/")));
        assertThat(this.transport.pool().idle()).isEqualTo(1);

        await().atMost(PATIENCE).until(() -> this.transport.pool().closedBy().get(CloseReason.IDLE_TIMEOUT) == 1);
        assertThat(this.transport.pool().idle()).isZero();
        await().atMost(PATIENCE).until(() -> peer.open() == 0);
        assertThat(peer.received()).as("no request was needed to close it").hasSize(1);
    }

    @Test
    void serverKeepAliveTimeoutShorterThanTheIdleTimeoutIsHonoured() throws Exception {
        start(KeepAliveSettings.builder().idleConnTimeout(Duration.ofHours(1)));
        RawPeer peer = peer("Keep-Alive: timeout=1");
        readAndClose(execute(peer.uri("/")));
        assertThat(this.transport.pool().idle()).isEqualTo(1);

        await().atMost(PATIENCE).until(() -> this.transport.pool().closedBy().get(CloseReason.IDLE_TIMEOUT) == 1);
        assertThat(this.transport.pool().idle()).isZero();
        await().atMost(PATIENCE).until(() -> peer.open() == 0);
    }

    @Test
    void connectionsReleasedOverThePerHostIdleCapAreClosed() throws Exception {
        start(KeepAliveSettings.builder().maxIdleConnsPerHost(2));
        RawPeer peer = peer();
        List<ClientHttpResponse> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(execute(peer.uri("/")));
        }
        assertThat(this.transport.pool().active()).isEqualTo(5);

        held.forEach(this::readAndClose);

        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.active()).isZero();
        assertThat(pool.idle()).isEqualTo(2);
        assertThat(pool.closedBy().get(CloseReason.MAX_IDLE)).isEqualTo(3);
        assertThat(pool.routes().get(0).maxIdleConns()).isEqualTo(2);
        await().atMost(PATIENCE).until(() -> peer.open() == 2);
    }

    @Test
    void theMostRecentlyReleasedConnectionIsHandedOutFirst() throws Exception {
        start(KeepAliveSettings.builder());
        RawPeer peer = peer();
        ClientHttpResponse first = execute(peer.uri("/"));
        ClientHttpResponse second = execute(peer.uri("/"));
        long a = connectionId(first);
        long b = connectionId(second);
        assertThat(a).isNotEqualTo(b);

        // Released b, then a: a is the most recent.
        readAndClose(second);
        readAndClose(first);
        assertThat(idleIds()).containsExactlyInAnyOrder(a, b);
        assertThat(reuseOnce(peer)).isEqualTo(a);

        // Released a, then b: b is the most recent.
        ClientHttpResponse again1 = execute(peer.uri("/"));
        ClientHttpResponse again2 = execute(peer.uri("/"));
        assertThat(connectionId(again1)).as("LIFO: the most recent idle first").isEqualTo(a);
        assertThat(connectionId(again2)).isEqualTo(b);
        readAndClose(again1);
        readAndClose(again2);
        assertThat(reuseOnce(peer)).isEqualTo(b);

        assertThat(peer.accepted()).isEqualTo(2);
        assertThat(this.transport.pool().opened()).isEqualTo(2);
    }

    @Test
    void overTheGlobalIdleCapTheLeastRecentlyUsedIdleConnectionOfAnyHostIsClosed() throws Exception {
        start(KeepAliveSettings.builder().maxIdleConns(2));
        URI h1 = mockServer();
        URI h2 = mockServer();
        URI h3 = mockServer();

        readAndClose(execute(h1));
        readAndClose(execute(h2));
        assertIdle(h1, 1, h2, 1, h3, 0);
        readAndClose(execute(h2)); // h2 is now more recently used than h1
        readAndClose(execute(h3));

        assertIdle(h1, 0, h2, 1, h3, 1);
        assertThat(closedByMaxIdle(h1)).as("h1 was the least recently used").isEqualTo(1);

        readAndClose(execute(h1)); // a new connection to h1; now h2 is the least recently used
        assertIdle(h1, 1, h2, 0, h3, 1);
        assertThat(closedByMaxIdle(h2)).isEqualTo(1);
        assertThat(this.transport.pool().idle()).isEqualTo(2);
        assertThat(this.transport.pool().closedBy().get(CloseReason.MAX_IDLE)).isEqualTo(2);
    }

    @Test
    void idleConnectionPastItsLifetimeIsClosedInTheBackground() throws Exception {
        start(KeepAliveSettings.builder().maxConnLifetime(Duration.ofMillis(400)));
        RawPeer peer = peer();
        readAndClose(execute(peer.uri("/")));
        assertThat(this.transport.pool().idle()).isEqualTo(1);

        await().atMost(PATIENCE).until(() -> this.transport.pool().closedBy().get(CloseReason.LIFETIME) == 1);
        assertThat(this.transport.pool().idle()).isZero();
        await().atMost(PATIENCE).until(() -> peer.open() == 0);
    }

    @Test
    void connectionThatOutlivedItsLifetimeDuringAnExchangeIsNotReused() throws Exception {
        start(KeepAliveSettings.builder().maxConnLifetime(Duration.ofMillis(400)));
        RawPeer peer = peer();
        ClientHttpResponse held = execute(peer.uri("/"));
        await().atMost(PATIENCE).until(() -> this.transport.pool().routes().get(0).connections().get(0).ageMillis() > 500);

        readAndClose(held);

        assertThat(this.transport.pool().closedBy().get(CloseReason.LIFETIME)).isEqualTo(1);
        assertThat(this.transport.pool().idle()).isZero();
        ClientHttpResponse next = execute(peer.uri("/"));
        assertThat(((TrackedResponse) next).connectionReused()).isFalse();
        readAndClose(next);
        assertThat(peer.accepted()).isEqualTo(2);
    }

    private long reuseOnce(RawPeer peer) throws IOException {
        ClientHttpResponse response = execute(peer.uri("/"));
        assertThat(((TrackedResponse) response).connectionReused()).isTrue();
        readAndClose(response);
        return connectionId(response);
    }

    private List<Long> idleIds() {
        return this.transport.pool().routes().get(0).connections().stream()
                .filter((c) -> c.state().equals("idle")).map(ConnectionSnapshot::id).toList();
    }

    private void assertIdle(URI h1, int idle1, URI h2, int idle2, URI h3, int idle3) {
        assertThat(List.of(idleOf(h1), idleOf(h2), idleOf(h3))).containsExactly(idle1, idle2, idle3);
    }

    private int idleOf(URI host) {
        return this.transport.pool().route(routeOf(host)).map(RouteSnapshot::idle).orElse(0);
    }

    private long closedByMaxIdle(URI host) {
        return this.transport.pool().route(routeOf(host)).orElseThrow().closedBy().get(CloseReason.MAX_IDLE);
    }

    private static String routeOf(URI uri) {
        return "http://" + uri.getHost() + ":" + uri.getPort();
    }

    private URI mockServer() throws IOException {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("host " + server.getPort()).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        this.servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getPort() + "/");
    }

    private ClientHttpResponse execute(URI uri) throws IOException {
        return this.factory.createRequest(uri, HttpMethod.GET).execute();
    }

    private void readAndClose(ClientHttpResponse response) {
        try (response) {
            assertThat(response.getBody().readAllBytes()).isNotEmpty();
        }
        catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }

    private static long connectionId(ClientHttpResponse response) {
        return ((TrackedResponse) response).connectionId();
    }
}
