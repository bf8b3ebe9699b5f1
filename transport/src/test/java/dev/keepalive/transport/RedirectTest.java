package dev.keepalive.transport;

import java.io.ByteArrayInputStream;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Design §3 rule 18, the redirect matrix: 301, 302 and 303 turn every method but GET and HEAD into a GET
 * without a body; 307 and 308 keep method and body when the body can be sent again, and otherwise hand the
 * redirect itself to the application. Checked at the server, for {@code RestClient} and {@code RestTemplate}.
 */
class RedirectTest {

    private static final String PAYLOAD = "order 42: three widgets";

    enum Client { REST_CLIENT, REST_TEMPLATE }

    /** No body, a body that can be sent again (a String), a body read once from a stream. */
    enum Body { NONE, REPEATABLE, STREAMING }

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
            assertThat(this.transport.bodies().open()).isZero();
        }
        finally {
            this.transport.close();
            this.server.close();
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Client client : Client.values()) {
            for (int status : new int[] { 301, 302, 303, 307, 308 }) {
                cases.add(Arguments.of(client, status, "GET", Body.NONE));
                for (String method : new String[] { "POST", "PUT" }) {
                    cases.add(Arguments.of(client, status, method, Body.REPEATABLE));
                    cases.add(Arguments.of(client, status, method, Body.STREAMING));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2} with {3} body, answered {1}")
    @MethodSource("matrix")
    void followsAsGoDoes(Client client, int status, String method, Body body) throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(status).addHeader("Location", "/target")
                .body("moved").build());
        this.server.enqueue(new MockResponse.Builder().body("arrived").build());

        ResponseEntity<String> response = send(client, method, body);

        RecordedRequest first = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getMethod()).isEqualTo(method);
        assertThat(bodyOf(first)).isEqualTo(body == Body.NONE ? "" : PAYLOAD);

        boolean keepsMethodAndBody = status == 307 || status == 308;
        if (keepsMethodAndBody && body == Body.STREAMING) {
            // The body was read once and cannot be sent again: the application gets the redirect itself.
            assertThat(response.getStatusCode().value()).isEqualTo(status);
            assertThat(response.getBody()).isEqualTo("moved");
            assertThat(response.getHeaders().getFirst("Location")).isEqualTo("/target");
            assertThat(this.server.getRequestCount()).as("nothing was resent").isEqualTo(1);
            return;
        }
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        assertThat(response.getBody()).isEqualTo("arrived");
        RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(second.getTarget()).isEqualTo("/target");
        if (keepsMethodAndBody && body == Body.REPEATABLE) {
            assertThat(second.getMethod()).isEqualTo(method);
            assertThat(second.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(PAYLOAD.length()));
            assertThat(second.getHeaders().get("Transfer-Encoding")).isNull();
            assertThat(second.getHeaders().get("Content-Type")).startsWith("text/plain");
            assertThat(bodyOf(second)).isEqualTo(PAYLOAD);
        }
        else {
            assertThat(second.getMethod()).isEqualTo("GET");
            assertThat(second.getHeaders().get("Content-Length")).isNull();
            assertThat(second.getHeaders().get("Transfer-Encoding")).isNull();
            assertThat(second.getHeaders().get("Content-Type")).isNull();
            assertThat(second.getBodySize()).isZero();
        }
        assertThat(this.server.getRequestCount()).isEqualTo(2);
    }

    /** The report that found it: a stream written once, read again for the next hop, sends nothing. */
    @ParameterizedTest(name = "PUT with a one-shot stream, answered {0}")
    @MethodSource("everyRedirect")
    void aOneShotStreamIsNeverResentEmpty(int status) throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(status).addHeader("Location", "/target").build());
        this.server.enqueue(new MockResponse.Builder().code(201).body("created").build());
        ByteArrayInputStream upload = new ByteArrayInputStream(PAYLOAD.getBytes(StandardCharsets.UTF_8));

        ResponseEntity<String> response = RestClient.builder().requestFactory(this.transport.requestFactory()).build()
                .put().uri(this.server.url("/files/1").toString())
                .body((StreamingHttpOutputMessage.Body) upload::transferTo)
                .retrieve().toEntity(String.class);

        assertThat(bodyOf(this.server.takeRequest(5, TimeUnit.SECONDS))).isEqualTo(PAYLOAD);
        if (status == 307 || status == 308) {
            assertThat(response.getStatusCode().value()).isEqualTo(status);
            assertThat(this.server.getRequestCount()).isEqualTo(1);
        }
        else {
            RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(second.getMethod()).isEqualTo("GET");
            assertThat(second.getBodySize()).isZero();
        }
        for (RecordedRequest resent = this.server.takeRequest(50, TimeUnit.MILLISECONDS); resent != null;
                resent = this.server.takeRequest(50, TimeUnit.MILLISECONDS)) {
            assertThat(resent.getMethod()).as("no PUT was sent again").isNotEqualTo("PUT");
        }
    }

    static Stream<Integer> everyRedirect() {
        return Stream.of(301, 302, 303, 307, 308);
    }

    private static String bodyOf(RecordedRequest request) {
        return request.getBody() != null ? request.getBody().utf8() : "";
    }

    private ResponseEntity<String> send(Client client, String method, Body body) {
        KeepAliveRequestFactory factory = this.transport.requestFactory();
        String url = this.server.url("/start").toString();
        Object content = switch (body) {
            case NONE -> null;
            case REPEATABLE -> PAYLOAD;
            case STREAMING -> new InputStreamResource(new ByteArrayInputStream(PAYLOAD.getBytes(StandardCharsets.UTF_8)));
        };
        return switch (client) {
            case REST_CLIENT -> {
                RestClient.RequestBodySpec spec = RestClient.builder().requestFactory(factory).build()
                        .method(HttpMethod.valueOf(method)).uri(url);
                if (content != null) {
                    spec.body(content);
                }
                yield spec.retrieve().toEntity(String.class);
            }
            case REST_TEMPLATE -> new RestTemplate(factory).exchange(url, HttpMethod.valueOf(method),
                    content != null ? new HttpEntity<>(content) : HttpEntity.EMPTY, String.class);
        };
    }
}
