package com.example.keepalive;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code httppools/{route}} with the route URL-encoded, as the design writes it, on a Tomcat told to pass
 * encoded slashes through (by default it answers 400, see {@link KeepAliveApplicationTests}).
 */
@SpringBootTest(classes = { ReportApplication.class, EncodedRouteSelectorTests.PassEncodedSlashes.class },
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=httppools")
class EncodedRouteSelectorTests {

    @LocalServerPort
    private int port;

    @Autowired
    private RestClient.Builder restClientBuilder;

    @Test
    void urlEncodedRouteSelectsThePool() throws Exception {
        String route = "http://127.0.0.1:" + this.port;
        this.restClientBuilder.build().get().uri(route + "/upstream/port").retrieve().body(String.class);
        URI uri = URI.create(route + "/actuator/httppools/" + URLEncoder.encode(route, StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JsonPath.<String>read(response.body(), "$.route")).isEqualTo(route);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class PassEncodedSlashes {

        @Bean
        TomcatConnectorCustomizer passEncodedSlashes() {
            return (connector) -> connector.setEncodedSolidusHandling("passthrough");
        }

    }

}
