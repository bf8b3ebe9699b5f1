package com.example.keepalive;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the actuator on the class path but the keepalive endpoints not in
 * {@code management.endpoints.web.exposure.include} (Boot's default exposes only health), they do not
 * answer over HTTP.
 */
@SpringBootTest(classes = ReportApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ActuatorNotExposedTests {

    @LocalServerPort
    private int port;

    @Test
    void endpointsAreNotServedUnlessExposed() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : new String[] { "/actuator/httppools", "/actuator/httpbodies" }) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).as(path)
                .isEqualTo(404);
        }
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"))
            .build();
        assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

}
