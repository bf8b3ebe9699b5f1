package dev.keepalive.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Design §3 rule 17, request framing: POST, PUT, PATCH (and DELETE, as Spring's HttpComponents and JDK
 * factories do) without a body carry {@code Content-Length: 0}; a {@code Content-Length: 0} set by the
 * application or by {@code RestTemplate} is kept; a body of known length is sent with its length, a stream
 * of unknown length chunked. Checked at the server for method, framing and bytes.
 */
class RequestFramingTest {

    private static final String PAYLOAD = "{\"id\":42,\"note\":\"framing\"}";

    enum Client { REST_CLIENT, REST_TEMPLATE }

    /** No body; a body whose length is known before it is written (a String); a stream of unknown length. */
    enum Body { EMPTY, KNOWN_LENGTH, STREAMING }

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.pool().active()).isZero();
        }
        finally {
            this.transport.close();
            this.server.close();
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Client client : Client.values()) {
            for (String method : new String[] { "POST", "PUT", "PATCH", "DELETE" }) {
                for (Body body : Body.values()) {
                    cases.add(Arguments.of(client, method, body));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} with {2} body")
    @MethodSource("matrix")
    void framingAtTheServer(Client client, String method, Body body) throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("done").build());

        assertThat(send(client, method, body)).isEqualTo("done");

        RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo(method);
        String contentLength = request.getHeaders().get("Content-Length");
        String transferEncoding = request.getHeaders().get("Transfer-Encoding");
        switch (body) {
            case EMPTY -> {
                assertThat(contentLength).isEqualTo("0");
                assertThat(transferEncoding).isNull();
                assertThat(request.getBodySize()).isZero();
            }
            case KNOWN_LENGTH -> {
                assertThat(contentLength).isEqualTo(Integer.toString(PAYLOAD.length()));
                assertThat(transferEncoding).isNull();
                assertThat(request.getBody().utf8()).isEqualTo(PAYLOAD);
            }
            case STREAMING -> {
                assertThat(contentLength).isNull();
                assertThat(transferEncoding).isEqualTo("chunked");
                assertThat(request.getChunkSizes()).isNotEmpty();
                assertThat(request.getBody().utf8()).isEqualTo(PAYLOAD);
            }
        }
    }

    @Test
    void restTemplatePostForObjectWithANullBodySendsContentLengthZero() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("done").build());

        String answer = new RestTemplate(this.transport.requestFactory())
                .postForObject(this.server.url("/orders").toString(), null, String.class);

        assertThat(answer).isEqualTo("done");
        RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getHeaders().get("Content-Length")).isEqualTo("0");
        assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void getAndHeadWithoutABodyCarryNoFraming() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("done").build());
        this.server.enqueue(new MockResponse.Builder().build());
        RestClient client = RestClient.builder().requestFactory(this.transport.requestFactory()).build();

        client.get().uri(this.server.url("/a").toString()).retrieve().toBodilessEntity();
        client.head().uri(this.server.url("/b").toString()).retrieve().toBodilessEntity();

        for (int i = 0; i < 2; i++) {
            RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getHeaders().get("Content-Length")).isNull();
            assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
        }
    }

    @Test
    void contentLengthZeroSetByTheApplicationIsKept() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("done").build());

        RestClient.builder().requestFactory(this.transport.requestFactory()).build()
                .get().uri(this.server.url("/probe").toString()).header("Content-Length", "0")
                .retrieve().toBodilessEntity();

        RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getHeaders().values("Content-Length")).containsExactly("0");
    }

    /** The request target is the URI's path and query as given: a path starting with "//" names no authority. */
    @Test
    void theRequestTargetIsThePathAndQueryAsGiven() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("done"))) {
            KeepAliveRequestFactory factory = this.transport.requestFactory();
            for (String target : new String[] { "//double/slash?q=a%20b", "/plain/p%2Fq?x=1&y", "" }) {
                try (ClientHttpResponse response = factory.createRequest(peer.uri(target), HttpMethod.GET).execute()) {
                    assertThat(response.getStatusCode().value()).isEqualTo(200);
                }
            }
            assertThat(peer.received()).extracting(RawPeer.Received::requestLine).containsExactly(
                    "GET //double/slash?q=a%20b HTTP/1.1", "GET /plain/p%2Fq?x=1&y HTTP/1.1", "GET / HTTP/1.1");
            assertThat(peer.received().get(0).text()).contains("\r\nHost: 127.0.0.1:" + peer.port() + "\r\n");
        }
    }

    /** The body written to {@code getBody()} is buffered: its length is known, even when it is empty. */
    @Test
    void aBodyWrittenThroughGetBodyIsSentWithItsLength() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("done").build());
        this.server.enqueue(new MockResponse.Builder().body("done").build());
        KeepAliveRequestFactory factory = this.transport.requestFactory();

        ClientHttpRequest put = factory.createRequest(this.server.url("/a").uri(), HttpMethod.PUT);
        put.getBody().write(PAYLOAD.getBytes(StandardCharsets.UTF_8));
        execute(put);
        ClientHttpRequest post = factory.createRequest(this.server.url("/b").uri(), HttpMethod.POST);
        post.getBody();
        execute(post);

        RecordedRequest first = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(PAYLOAD.length()));
        assertThat(first.getBody().utf8()).isEqualTo(PAYLOAD);
        RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(second.getHeaders().get("Content-Length")).isEqualTo("0");
        assertThat(second.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void anUnparsableContentLengthIsRefusedWithoutQuotingIt() {
        ClientHttpRequest[] request = new ClientHttpRequest[1];
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> {
            request[0] = this.transport.requestFactory().createRequest(this.server.url("/a").uri(), HttpMethod.PUT);
            request[0].getHeaders().set("Content-Length", "s3cr3t-length");
            ((org.springframework.http.StreamingHttpOutputMessage) request[0]).setBody((out) -> out.write(1));
            request[0].execute().close();
        }).withMessageContaining("Content-Length").withMessageContaining(this.server.url("/a").toString())
                .withMessageNotContaining("s3cr3t");
        assertThat(this.server.getRequestCount()).isZero();
        assertThat(this.transport.pool().opened()).isZero();
    }

    private static void execute(ClientHttpRequest request) throws IOException {
        try (ClientHttpResponse response = request.execute()) {
            response.getBody().readAllBytes();
        }
    }

    private String send(Client client, String method, Body body) {
        KeepAliveRequestFactory factory = this.transport.requestFactory();
        String url = this.server.url("/resource").toString();
        Object content = switch (body) {
            case EMPTY -> null;
            case KNOWN_LENGTH -> PAYLOAD;
            case STREAMING -> new InputStreamResource(new ByteArrayInputStream(PAYLOAD.getBytes(StandardCharsets.UTF_8)));
        };
        return switch (client) {
            case REST_CLIENT -> {
                RestClient.RequestBodySpec spec = RestClient.builder().requestFactory(factory).build()
                        .method(HttpMethod.valueOf(method)).uri(url);
                if (content != null) {
                    spec.body(content);
                }
                yield spec.retrieve().body(String.class);
            }
            case REST_TEMPLATE -> new RestTemplate(factory).exchange(url, HttpMethod.valueOf(method),
                    content != null ? new HttpEntity<>(content) : HttpEntity.EMPTY, String.class).getBody();
        };
    }
}
