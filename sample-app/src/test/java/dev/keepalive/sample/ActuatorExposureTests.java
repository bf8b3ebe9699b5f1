package dev.keepalive.sample;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's {@code application.yml} exposes health (with details), metrics, prometheus, httppools and
 * httpbodies, and the page that reads them is served at {@code /}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ActuatorExposureTests {

    @LocalServerPort
    private int port;

    private SampleHttp http;

    @BeforeEach
    void client() {
        this.http = new SampleHttp(this.port);
    }

    @Test
    void exposesTheFiveEndpoints() throws Exception {
        DocumentContext links = this.http.getJson("/actuator", 200);
        Map<String, Object> all = links.read("$._links");
        assertThat(all).containsKeys("health", "metrics", "prometheus", "httppools", "httpbodies")
            .doesNotContainKeys("env", "beans", "heapdump");
    }

    @Test
    void healthShowsTheKeepaliveContributorWithDetails() throws Exception {
        HttpResponse<String> response = this.http.get("/actuator/health");
        DocumentContext health = com.jayway.jsonpath.JsonPath.parse(response.body());
        assertThat(health.<Map<String, Object>>read("$.components.keepalive.details")).containsKeys("connections",
                "bodies");
    }

    @Test
    void prometheusCarriesTheKeepaliveMeters() throws Exception {
        this.http.getJson("/demo/correct", 200);
        HttpResponse<String> response = this.http.get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("keepalive_connections_opened_total")
            .contains("keepalive_bodies_closed_total");
    }

    @Test
    void thePoolsShowTheSamplesCapOnItsOwnRoute() throws Exception {
        this.http.getJson("/demo/correct", 200);
        DocumentContext pools = this.http.getJson("/actuator/httppools", 200);
        List<Integer> caps = pools.read("$.pools[?(@.route == 'http://127.0.0.1:" + this.port + "')].maxConns");
        assertThat(caps).containsExactly(8);
    }

    @Test
    void servesThePage() throws Exception {
        HttpResponse<String> page = this.http.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"app.js\"></script>").contains("id=\"demo-leak\"");
        assertThat(this.http.get("/app.js").body()).contains("actuator/httpbodies").contains("actuator/httppools");
    }

}
