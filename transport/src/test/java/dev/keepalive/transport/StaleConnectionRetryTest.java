package dev.keepalive.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 10: a replayable request that fails on a stale reused connection is retried once on a new
 * connection; anything else fails with a message that names the route.
 */
class StaleConnectionRetryTest {

    /** The server closes a keep-alive connection after this much idle time. */
    private static final Duration SERVER_IDLE_CLOSE = Duration.ofSeconds(1);

    private RawPeer peer;
    private KeepAliveTransport transport;

    @BeforeEach
    void startPeer() throws IOException {
        this.peer = new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest(SERVER_IDLE_CLOSE)) != null) {
                conn.write(RawPeer.ok("hello " + request.substring(0, request.indexOf(' '))));
            }
        });
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.pool().active()).isZero();
        }
        finally {
            this.transport.close();
            this.peer.close();
        }
    }

    /**
     * Idle connections are not watched (rule 16) for an hour, so a connection the server closed stays in the
     * pool, as if its close crossed the request on the wire: only the retry can save the request.
     */
    private KeepAliveRequestFactory withoutValidation() {
        return factory(KeepAliveSettings.builder().validateAfterInactivity(Duration.ofHours(1)));
    }

    private KeepAliveRequestFactory factory(KeepAliveSettings.Builder settings) {
        this.transport = KeepAliveTransport.create(settings.build());
        return this.transport.requestFactory();
    }

    @Test
    void getOnAConnectionTheServerClosedIsRetriedOnAFreshOne() {
        RestClient client = RestClient.builder().requestFactory(withoutValidation()).build();
        assertThat(client.get().uri(this.peer.uri("/a")).retrieve().body(String.class)).isEqualTo("hello GET");
        awaitServerClosedIdleConnection();

        assertThat(client.get().uri(this.peer.uri("/b")).retrieve().body(String.class)).isEqualTo("hello GET");

        assertThat(this.peer.accepted()).isEqualTo(2);
        assertThat(this.peer.received()).extracting(RawPeer.Received::connection).containsExactly(0, 1);
        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(pool.closedBy().get(CloseReason.ERROR)).isZero();
        assertThat(pool.idle()).isEqualTo(1);
    }

    @Test
    void theRetriedResponseSaysItCameOnANewConnection() throws Exception {
        KeepAliveRequestFactory factory = withoutValidation();
        long first;
        try (ClientHttpResponse response = factory.createRequest(this.peer.uri("/a"), HttpMethod.GET).execute()) {
            response.getBody().readAllBytes();
            first = ((TrackedResponse) response).connectionId();
        }
        awaitServerClosedIdleConnection();

        try (ClientHttpResponse response = factory.createRequest(this.peer.uri("/b"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hello GET");
            assertThat(((TrackedResponse) response).connectionId()).isNotEqualTo(first);
            assertThat(((TrackedResponse) response).connectionReused()).isFalse();
        }
    }

    @Test
    void withTheDefaultWatchTheClosedConnectionIsNeverUsed() {
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder());
        assertThat(this.transport.settings().pool().validateAfterInactivity()).isEqualTo(Duration.ofMillis(5));
        RestTemplate template = new RestTemplate(factory);
        assertThat(template.getForObject(this.peer.uri("/a"), String.class)).isEqualTo("hello GET");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.peer.open() == 0);

        assertThat(template.getForObject(this.peer.uri("/b"), String.class)).isEqualTo("hello GET");

        assertThat(this.peer.accepted()).isEqualTo(2);
        assertThat(this.peer.received()).extracting(RawPeer.Received::connection).containsExactly(0, 1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isZero();
    }

    @Test
    void postWithAStreamingBodyOnAStaleConnectionIsNotRetried() throws Exception {
        KeepAliveRequestFactory factory = withoutValidation();
        get(factory);
        awaitServerClosedIdleConnection();

        ClientHttpRequest post = factory.createRequest(this.peer.uri("/orders"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) post).setBody((out) -> out.write("once only".getBytes(StandardCharsets.UTF_8)));

        assertThatExceptionOfType(IOException.class).isThrownBy(post::execute)
                .withMessageContaining("POST")
                .withMessageContaining(this.peer.route())
                .withMessageContaining("reused");
        assertThat(this.peer.accepted()).as("no second connection: the POST was not replayed").isEqualTo(1);
        assertThat(this.peer.received()).extracting(RawPeer.Received::requestLine).containsExactly("GET / HTTP/1.1");
    }

    @Test
    void postWithABufferedBodyButNoIdempotencyKeyIsNotRetried() throws Exception {
        KeepAliveRequestFactory factory = withoutValidation();
        get(factory);
        awaitServerClosedIdleConnection();

        ClientHttpRequest post = factory.createRequest(this.peer.uri("/orders"), HttpMethod.POST);
        post.getBody().write("buffered".getBytes(StandardCharsets.UTF_8));

        assertThatExceptionOfType(IOException.class).isThrownBy(post::execute)
                .withMessageContaining(this.peer.route());
        assertThat(this.peer.accepted()).isEqualTo(1);
    }

    @Test
    void postWithAnIdempotencyKeyAndABufferedBodyIsRetried() throws Exception {
        KeepAliveRequestFactory factory = withoutValidation();
        get(factory);
        awaitServerClosedIdleConnection();

        ClientHttpRequest post = factory.createRequest(this.peer.uri("/orders"), HttpMethod.POST);
        post.getHeaders().add("Idempotency-Key", "order-42");
        post.getBody().write("buffered".getBytes(StandardCharsets.UTF_8));
        try (ClientHttpResponse response = post.execute()) {
            assertThat(response.getBody().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hello POST");
        }

        assertThat(this.peer.accepted()).isEqualTo(2);
        RawPeer.Received replayed = this.peer.received().get(1);
        assertThat(replayed.connection()).isEqualTo(1);
        assertThat(replayed.requestLine()).isEqualTo("POST /orders HTTP/1.1");
        assertThat(replayed.body()).isEqualTo("buffered");
    }

    @Test
    void aFreshConnectionsFailureIsNeverRetried() throws Exception {
        try (RawPeer hangsUp = new RawPeer((conn) -> {
            conn.readRequest();
            conn.close();
        })) {
            KeepAliveRequestFactory factory = withoutValidation();
            assertThatExceptionOfType(IOException.class)
                    .isThrownBy(() -> factory.createRequest(hangsUp.uri("/"), HttpMethod.GET).execute())
                    .withMessageContaining(hangsUp.route());
            assertThat(hangsUp.accepted()).isEqualTo(1);
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
        }
    }

    /**
     * At the cap, the retry waits for a slot, and the slot it is handed may be a connection that another
     * caller has just used. Here the server answers only the first request of each connection and closes it
     * silently on the next one, so that any reused connection is stale: the retry must still go on a new
     * connection, as rule 10 says, and not on the connection the waiter ahead of it gave back.
     */
    @Test
    void atTheCapTheRetryIsHandedANewConnectionNotAReleasedOne() throws Exception {
        CountDownLatch closeReused = new CountDownLatch(1);
        this.peer.close();
        this.peer = new RawPeer((conn) -> {
            String request = conn.readRequest();
            conn.write(RawPeer.ok("hello " + request.substring(0, request.indexOf(' '))));
            if (conn.readRequest() != null) {
                closeReused.await(); // holds the stale exchange in flight until a second caller waits
                conn.close();
            }
        });
        KeepAliveRequestFactory factory = factory(KeepAliveSettings.builder().maxConnsPerHost(1)
                .validateAfterInactivity(Duration.ofHours(1)));
        get(factory);

        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<String> retried = callers.submit(() -> body(factory, "/retried"));
            await().atMost(Duration.ofSeconds(5)).until(() -> this.peer.received().size() == 2);
            Future<String> waited = callers.submit(() -> {
                try (ClientHttpResponse response = factory.createRequest(this.peer.uri("/waited"), HttpMethod.GET)
                        .execute()) {
                    // Gives its connection back only once the retry waits at the cap behind it.
                    await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.pool().waiting() == 1);
                    return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.pool().waiting() == 1);
            closeReused.countDown();

            assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("hello GET");
            assertThat(retried.get(10, TimeUnit.SECONDS)).isEqualTo("hello GET");
        }
        finally {
            callers.shutdownNow();
        }
        assertThat(this.peer.received()).extracting(RawPeer.Received::connection, RawPeer.Received::requestLine)
                .containsExactly(tuple(0, "GET / HTTP/1.1"), tuple(0, "GET /retried HTTP/1.1"),
                        tuple(1, "GET /waited HTTP/1.1"), tuple(2, "GET /retried HTTP/1.1"));
        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.opened()).isEqualTo(3);
        assertThat(pool.closedBy().get(CloseReason.SERVER_CLOSE)).as("the stale one").isEqualTo(1);
        assertThat(pool.closedBy().get(CloseReason.MAX_IDLE)).as("the released one, making room").isEqualTo(1);
        assertThat(pool.closedBy().get(CloseReason.ERROR)).isZero();
    }

    private String body(KeepAliveRequestFactory factory, String path) throws IOException {
        try (ClientHttpResponse response = factory.createRequest(this.peer.uri(path), HttpMethod.GET).execute()) {
            return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void get(KeepAliveRequestFactory factory) throws IOException {
        try (ClientHttpResponse response = factory.createRequest(this.peer.uri("/"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hello GET");
        }
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    /** The server closes the idle connection after {@link #SERVER_IDLE_CLOSE}; the pool still holds it. */
    private void awaitServerClosedIdleConnection() {
        await().atMost(Duration.ofSeconds(5)).until(() -> this.peer.open() == 0);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }
}
