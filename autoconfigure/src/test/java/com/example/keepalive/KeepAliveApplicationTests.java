package com.example.keepalive;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.keepalive.autoconfigure.KeepAliveClientHttpRequestFactoryBuilder;
import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a real web application: traffic through Boot's {@code RestClient.Builder} and
 * {@code RestTemplateBuilder}, then the actuator over real HTTP.
 */
@SpringBootTest(classes = ReportApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=health,metrics,httppools,httpbodies",
                "management.endpoint.health.show-details=always", "keepalive.leak-detection.threshold=300ms",
                "keepalive.leak-detection.capture-stack=always" })
class KeepAliveApplicationTests {

    private final HttpClient actuatorClient = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private ObjectProvider<RestClient.Builder> restClientBuilders;

    @Autowired
    private RestTemplateBuilder restTemplateBuilder;

    @Autowired
    private KeepAliveTransport transport;

    @Autowired
    private ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

    private String route;

    @BeforeEach
    void route() {
        this.route = "http://127.0.0.1:" + this.port;
    }

    @Test
    void bootsBuildersRunOnKeepalive() {
        assertThat(this.requestFactoryBuilder).isInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
        RestClient restClient = this.restClientBuilders.getObject().baseUrl(this.route).build();
        RestTemplate restTemplate = this.restTemplateBuilder.baseUri(this.route).build();
        assertThat(restClient.get().uri("/upstream/bytes/100").retrieve().body(byte[].class)).hasSize(100);
        assertThat(restTemplate.getForObject("/upstream/bytes/200", byte[].class)).hasSize(200);
        assertThat(this.transport.pool().route(this.route)).isPresent();
        assertThat(this.transport.bodies().opened()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void twoClientsFromTheBuilderShareOneConnectionToOneHost() {
        RestClient first = this.restClientBuilders.getObject().baseUrl(this.route).build();
        RestClient second = this.restClientBuilders.getObject().baseUrl(this.route).build();
        String firstPort = first.get().uri("/upstream/port").retrieve().body(String.class);
        String secondPort = second.get().uri("/upstream/port").retrieve().body(String.class);
        assertThat(secondPort).isEqualTo(firstPort);
        assertThat(this.transport.pool().route(this.route).orElseThrow().connections())
            .anySatisfy((connection) -> assertThat(connection.localPort()).isEqualTo(Integer.parseInt(firstPort)));
    }

    @Test
    void httppoolsShowsTotalsAndTheRoutesConnections() throws Exception {
        RestClient restClient = this.restClientBuilders.getObject().baseUrl(this.route).build();
        String clientPort = restClient.get().uri("/upstream/port").retrieve().body(String.class);
        restClient.get().uri("/upstream/port").retrieve().body(String.class);
        DocumentContext json = getJson("/actuator/httppools", 200);
        Map<String, Object> totals = json.read("$.totals");
        assertThat(totals).containsOnlyKeys("active", "idle", "waiting", "opened", "closed", "reused", "closedBy");
        assertThat(json.<Map<String, Object>>read("$.totals.closedBy")).containsOnlyKeys("idle-timeout", "max-idle",
                "server-close", "error", "early-close", "leak-reclaimed", "lifetime", "shutdown");
        assertThat(json.<Integer>read("$.totals.opened")).isGreaterThanOrEqualTo(1);
        assertThat(json.<Integer>read("$.totals.reused")).isGreaterThanOrEqualTo(1);
        List<Map<String, Object>> pools = json.read("$.pools[?(@.route == '" + this.route + "')]");
        assertThat(pools).hasSize(1);
        Map<String, Object> pool = pools.get(0);
        assertThat(pool).containsOnlyKeys("route", "active", "idle", "waiting", "maxConns", "maxIdleConns",
                "connections");
        assertThat(pool).containsEntry("maxConns", 0).containsEntry("maxIdleConns", 32).containsEntry("waiting", 0);
        List<Map<String, Object>> connections = json.read("$.pools[?(@.route == '" + this.route
                + "')].connections[?(@.localPort == " + clientPort + ")]");
        assertThat(connections).singleElement().satisfies((connection) -> {
            assertThat(connection).containsOnlyKeys("id", "state", "localPort", "ageMillis", "idleMillis",
                    "requests");
            assertThat(connection).containsEntry("state", "idle");
            assertThat((Integer) connection.get("requests")).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void httppoolsSelectsOneRoute() throws Exception {
        this.restClientBuilders.getObject().build().get().uri(this.route + "/upstream/port").retrieve()
            .body(String.class);
        DocumentContext json = getJson("/actuator/httppools/" + this.route, 200);
        assertThat(json.<String>read("$.route")).isEqualTo(this.route);
        assertThat(json.<Map<String, Object>>read("$")).containsOnlyKeys("route", "active", "idle", "waiting",
                "maxConns", "maxIdleConns", "connections");
        assertThat(getJson("/actuator/httppools/127.0.0.1:" + this.port, 200).<String>read("$.route"))
            .isEqualTo(this.route);
        assertThat(getJson("/actuator/httppools/http:127.0.0.1:" + this.port, 200).<String>read("$.route"))
            .isEqualTo(this.route);
        assertThat(get("/actuator/httppools/127.0.0.1:1").statusCode()).isEqualTo(404);
    }

    @Test
    void tomcatRefusesAnEncodedSlashInThePath() throws Exception {
        // Why httppools/{route} also takes the route written out or without the scheme's slashes.
        String encoded = URLEncoder.encode(this.route, StandardCharsets.UTF_8);
        assertThat(get("/actuator/httppools/" + encoded).statusCode()).isEqualTo(400);
    }

    @Test
    @SuppressWarnings("unchecked")
    void httpbodiesShowsAnOpenBodyWithTheLineThatOpenedIt() throws Exception {
        RestClient restClient = this.restClientBuilders.getObject().baseUrl(this.route).build();
        AtomicReference<DocumentContext> whileOpen = new AtomicReference<>();
        byte[] body = restClient.get().uri("/upstream/bytes/5000?token=secret").exchange((request, response) -> {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                DocumentContext json = getJson("/actuator/httpbodies", 200);
                assertThat(json.<List<Object>>read("$.bodies[?(@.leakSuspect == true)]")).hasSize(1);
                whileOpen.set(json);
            });
            return response.getBody().readAllBytes();
        });
        assertThat(body).hasSize(5000);
        DocumentContext json = whileOpen.get();
        assertThat(json.<Map<String, Object>>read("$.totals")).containsOnlyKeys("open", "leakSuspects", "opened",
                "eof", "earlyCloseDrained", "earlyCloseDiscarded", "eofNotClosed", "leaked");
        assertThat(json.<Integer>read("$.totals.open")).isEqualTo(1);
        assertThat(json.<Integer>read("$.totals.leakSuspects")).isEqualTo(1);
        List<Map<String, Object>> bodies = json.read("$.bodies");
        assertThat(bodies).singleElement().satisfies((open) -> {
            assertThat(open).containsOnlyKeys("id", "method", "uri", "route", "ageMillis", "idleMillis", "bytesRead",
                    "contentLength", "leakSuspect", "openedAt", "stack");
            assertThat(open).containsEntry("method", "GET")
                .containsEntry("uri", this.route + "/upstream/bytes/5000?…")
                .containsEntry("route", this.route)
                .containsEntry("bytesRead", 0)
                .containsEntry("contentLength", 5000)
                .containsEntry("leakSuspect", true);
            assertThat((String) open.get("openedAt"))
                .startsWith(KeepAliveApplicationTests.class.getName() + ".");
            assertThat((Integer) open.get("ageMillis")).isGreaterThanOrEqualTo(300);
            assertThat((List<Object>) open.get("stack")).contains(open.get("openedAt"));
        });
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(getJson("/actuator/httpbodies", 200).<Integer>read("$.totals.open"))
                .isZero());
    }

    @Test
    void healthShowsKeepaliveUpWithTotals() throws Exception {
        this.restTemplateBuilder.build().getForObject(this.route + "/upstream/bytes/10", byte[].class);
        DocumentContext json = getJson("/actuator/health", 200);
        assertThat(json.<String>read("$.components.keepalive.status")).isEqualTo("UP");
        assertThat(json.<Integer>read("$.components.keepalive.details.connections.opened"))
            .isGreaterThanOrEqualTo(1);
        assertThat(json.<Integer>read("$.components.keepalive.details.bodies.opened")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void metricsShowConnectionsPerRouteAndState() throws Exception {
        RestClient restClient = this.restClientBuilders.getObject().baseUrl(this.route).build();
        restClient.get().uri("/upstream/bytes/10").retrieve().body(byte[].class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            DocumentContext json = getJson("/actuator/metrics/keepalive.connections?tag="
                    + URLEncoder.encode("route:" + this.route, StandardCharsets.UTF_8) + "&tag=state:idle", 200);
            assertThat(json.<String>read("$.name")).isEqualTo("keepalive.connections");
            assertThat(statistic(json, "VALUE")).isGreaterThanOrEqualTo(1.0);
        });
        DocumentContext all = getJson("/actuator/metrics/keepalive.connections", 200);
        assertThat(all.<List<String>>read("$.availableTags[*].tag")).containsExactlyInAnyOrder("route", "state");
        assertThat(all.<List<String>>read("$.availableTags[?(@.tag == 'state')].values[*]"))
            .containsExactlyInAnyOrder("active", "idle");
        DocumentContext acquire = getJson("/actuator/metrics/keepalive.connections.acquire?tag="
                + URLEncoder.encode("route:" + this.route, StandardCharsets.UTF_8), 200);
        assertThat(statistic(acquire, "COUNT"))
            .isGreaterThanOrEqualTo(1.0);
        getJson("/actuator/metrics/keepalive.bodies.open", 200);
        getJson("/actuator/metrics/keepalive.bodies.closed", 200);
    }

    @Test
    void httpClientRequestsStillRecords() {
        RestClient restClient = this.restClientBuilders.getObject().baseUrl(this.route).build();
        restClient.get().uri("/upstream/bytes/10").retrieve().body(byte[].class);
        this.restTemplateBuilder.baseUri(this.route).build().getForObject("/upstream/bytes/10", byte[].class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            DocumentContext json = getJson("/actuator/metrics/http.client.requests?tag="
                    + URLEncoder.encode("uri:/upstream/bytes/10", StandardCharsets.UTF_8), 200);
            assertThat(statistic(json, "COUNT"))
                .isGreaterThanOrEqualTo(2.0);
        });
    }

    private static double statistic(DocumentContext metric, String statistic) {
        List<Number> values = metric.read("$.measurements[?(@.statistic == '" + statistic + "')].value");
        assertThat(values).as(metric.jsonString()).hasSize(1);
        return values.get(0).doubleValue();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
        return this.actuatorClient.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private DocumentContext getJson(String path, int status) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(status);
        return JsonPath.parse(response.body());
    }

}
