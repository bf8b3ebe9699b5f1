package dev.keepalive.transport;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Design §3 rule 20, checked at a raw peer: which bytes of the request arrived, and when, for each answer
 * to {@code Expect: 100-continue}.
 */
class ExpectContinueTest {

    private KeepAliveTransport transport;

    @AfterEach
    void stop() {
        if (this.transport != null) {
            try {
                PoolAssertions.assertBalanced(this.transport);
                assertThat(this.transport.bodies().open()).isZero();
            }
            finally {
                this.transport.close();
            }
        }
    }

    @Test
    void bodyIsSentOnlyAfterTheServersContinue() throws Exception {
        CompletableFuture<String> beforeContinue = new CompletableFuture<>();
        CompletableFuture<String> body = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            beforeContinue.complete(conn.readWithin(Duration.ofMillis(300)));
            conn.write("HTTP/1.1 100 Continue\r\n\r\n");
            body.complete(conn.readExactly(5));
            conn.write(RawPeer.ok("stored"));
            while (conn.readRequest() != null) {
                conn.write(RawPeer.ok("again"));
            }
        })) {
            // A timeout far longer than the test: only the 100 can have released the body.
            RestClient client = client(Duration.ofSeconds(30));
            long start = System.nanoTime();
            String answer = client.post().uri(peer.uri("/upload")).header("Expect", "100-continue").body("hello")
                    .retrieve().body(String.class);

            assertThat(answer).isEqualTo("stored");
            assertThat(elapsedMillis(start)).isLessThan(10_000);
            assertThat(beforeContinue.get(5, TimeUnit.SECONDS)).as("bytes before the 100 Continue").isEmpty();
            assertThat(body.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
            assertThat(client.get().uri(peer.uri("/next")).retrieve().body(String.class)).isEqualTo("again");
            assertThat(peer.accepted()).as("the connection is reused").isEqualTo(1);
        }
    }

    @Test
    void silentServerGetsTheBodyAfterTheTimeout() throws Exception {
        CompletableFuture<Long> waitedMillis = new CompletableFuture<>();
        CompletableFuture<String> body = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            long headAt = System.nanoTime();
            body.complete(conn.readExactly(5));
            waitedMillis.complete(elapsedMillis(headAt));
            conn.write(RawPeer.ok("stored"));
            conn.readRequest();
        })) {
            this.transport = KeepAliveTransport.create(KeepAliveSettings.defaults());
            String answer = RestClient.builder().requestFactory(this.transport.requestFactory()).build().post()
                    .uri(peer.uri("/upload")).header("Expect", "100-continue").body("hello").retrieve()
                    .body(String.class);

            assertThat(answer).isEqualTo("stored");
            assertThat(body.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
            // The default expect-continue-timeout is Go's 1 s (HttpCore's own wait would be 3 s). The lower bound
            // leaves room for a peer thread that reads the head late on a busy machine.
            assertThat(waitedMillis.get(5, TimeUnit.SECONDS)).isBetween(500L, 2_500L);
            assertThat(this.transport.pool().idle()).isEqualTo(1);
        }
    }

    @Test
    void zeroTimeoutSendsTheBodyAtOnce() throws Exception {
        CompletableFuture<Long> waitedMillis = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            long headAt = System.nanoTime();
            conn.readExactly(5);
            waitedMillis.complete(elapsedMillis(headAt));
            conn.write(RawPeer.ok("stored"));
            conn.readRequest();
        })) {
            String answer = client(Duration.ZERO).post().uri(peer.uri("/upload"))
                    .header("Expect", "100-continue").body("hello").retrieve().body(String.class);

            assertThat(answer).isEqualTo("stored");
            assertThat(waitedMillis.get(5, TimeUnit.SECONDS)).as("not the default 1 s, nor HttpCore's 3 s")
                    .isLessThan(900L);
        }
    }

    /**
     * A final answer before {@code 100 Continue} is returned and the body is never sent. The request announced a
     * Content-Length: a server keeping the connection would read the next request as that body, so the connection
     * is closed even though this server did not say {@code Connection: close}.
     */
    @ParameterizedTest
    @ValueSource(strings = { "417 Expectation Failed", "401 Unauthorized", "200 OK" })
    void finalAnswerFirstIsReturnedWithoutTheBodyAndTheConnectionIsClosed(String status) throws Exception {
        CompletableFuture<String> afterAnswer = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 " + status + "\r\nContent-Length: 6\r\n\r\nanswer");
            afterAnswer.complete(conn.readWithin(Duration.ofSeconds(20)));
        })) {
            RestClient client = client(Duration.ofSeconds(30));
            long start = System.nanoTime();
            String seen = client.post().uri(peer.uri("/upload")).header("Expect", "100-continue")
                    .body("x".repeat(100)).exchange((request, response) -> response.getStatusCode().value() + " "
                            + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));

            assertThat(seen).isEqualTo(status.substring(0, 3) + " answer");
            assertThat(elapsedMillis(start)).as("no wait for the expect-continue-timeout").isLessThan(10_000);
            assertThat(afterAnswer.get(20, TimeUnit.SECONDS)).as("bytes after the answer: none, then the close")
                    .isNull();
            assertThat(this.transport.pool().idle()).isZero();
            assertThat(this.transport.pool().closed()).isEqualTo(1);
        }
    }

    /**
     * A chunked body can be ended with no content: the zero-length last chunk keeps a server that reads on in step,
     * so the connection is reused.
     */
    @Test
    void finalAnswerFirstToAChunkedBodyEndsItEmptyAndReusesTheConnection() throws Exception {
        CompletableFuture<String> head = new CompletableFuture<>();
        CompletableFuture<String> afterAnswer = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            head.complete(conn.readHead());
            conn.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
            afterAnswer.complete(conn.readExactly(5));
            while (conn.readRequest() != null) {
                conn.write(RawPeer.ok("second"));
            }
        })) {
            this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                    .expectContinueTimeout(Duration.ofSeconds(30)).build());
            KeepAliveRequestFactory factory = this.transport.requestFactory();
            ClientHttpRequest request = factory.createRequest(peer.uri("/upload"), HttpMethod.POST);
            request.getHeaders().set("Expect", "100-continue");
            ((StreamingHttpOutputMessage) request).setBody(new StreamingHttpOutputMessage.Body() {
                @Override
                public void writeTo(OutputStream out) throws java.io.IOException {
                    out.write("never sent".getBytes(StandardCharsets.UTF_8));
                }
            });
            try (ClientHttpResponse response = request.execute()) {
                assertThat(response.getStatusCode().value()).isEqualTo(401);
            }

            assertThat(head.get(5, TimeUnit.SECONDS)).containsIgnoringCase("Transfer-Encoding: chunked");
            assertThat(afterAnswer.get(5, TimeUnit.SECONDS)).as("the empty last chunk, no content").isEqualTo("0\r\n\r\n");
            try (ClientHttpResponse response = factory.createRequest(peer.uri("/next"), HttpMethod.GET).execute()) {
                assertThat(response.getBody().readAllBytes()).asString().isEqualTo("second");
            }
            assertThat(peer.accepted()).as("the connection is reused").isEqualTo(1);
            assertThat(peer.received()).extracting(RawPeer.Received::requestLine).containsExactly("GET /next HTTP/1.1");
        }
    }

    @Test
    void finalAnswerFirstWithConnectionCloseSendsNothingMore() throws Exception {
        CompletableFuture<String> afterAnswer = new CompletableFuture<>();
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            afterAnswer.complete(conn.readWithin(Duration.ofSeconds(20)));
        })) {
            this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                    .expectContinueTimeout(Duration.ofSeconds(30)).build());
            ClientHttpRequest request = this.transport.requestFactory().createRequest(peer.uri("/upload"),
                    HttpMethod.POST);
            request.getHeaders().set("Expect", "100-continue");
            ((StreamingHttpOutputMessage) request).setBody((out) -> out.write("never sent".getBytes()));
            try (ClientHttpResponse response = request.execute()) {
                assertThat(response.getStatusCode().value()).isEqualTo(413);
            }
            assertThat(afterAnswer.get(20, TimeUnit.SECONDS)).as("not even the last chunk").isNull();
            assertThat(this.transport.pool().idle()).isZero();
        }
    }

    @Test
    void negativeTimeoutIsRefusedNamingTheSetting() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> KeepAliveSettings.builder().expectContinueTimeout(Duration.ofMillis(-1)).build())
                .withMessage("expect-continue-timeout must not be negative, but was PT-0.001S");
    }

    private RestClient client(Duration expectContinueTimeout) {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .expectContinueTimeout(expectContinueTimeout).build());
        return RestClient.builder().requestFactory(this.transport.requestFactory()).build();
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
