package com.example.keepalive;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The actuator shows no secret: while a response whose request carried {@code Authorization: Bearer
 * s3cr3t-token} to {@code http://alice:pw@…?token=q-secret} is open (and a leak suspect), the JSON of
 * {@code httppools}, {@code httpbodies}, {@code httppools/{route}} and {@code health} holds none of them.
 */
@SpringBootTest(classes = ReportApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=health,httppools,httpbodies",
                "management.endpoint.health.show-details=always", "keepalive.leak-detection.threshold=100ms",
                "keepalive.leak-detection.capture-stack=always" })
class ActuatorSecretsTests {

    private static final List<String> SECRETS = List.of("s3cr3t-token", "alice", ":pw@", "q-secret");

    private final HttpClient actuatorClient = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private RestClient.Builder restClientBuilder;

    @Autowired
    private KeepAliveTransport transport;

    @Test
    void endpointsShowNoHeaderValueUserInfoOrQueryValue() {
        RestClient client = this.restClientBuilder.build();
        String secretUri = "http://alice:pw@127.0.0.1:" + this.port + "/upstream/bytes/5000?token=q-secret";
        AtomicReference<List<String>> pages = new AtomicReference<>();
        client.get().uri(secretUri).header("Authorization", "Bearer s3cr3t-token").exchange((request, response) -> {
            await().atMost(Duration.ofSeconds(10))
                .until(() -> this.transport.bodies().leakSuspects() == 1);
            pages.set(List.of(get("/actuator/httppools"), get("/actuator/httpbodies"),
                    get("/actuator/httppools/127.0.0.1:" + this.port), get("/actuator/health")));
            return response.getBody().readAllBytes();
        });
        assertThat(pages.get().get(1)).contains("/upstream/bytes/5000?…");
        for (String page : pages.get()) {
            for (String secret : SECRETS) {
                assertThat(page).doesNotContain(secret);
            }
        }
    }

    private String get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
        HttpResponse<String> response;
        try {
            response = this.actuatorClient.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

}
