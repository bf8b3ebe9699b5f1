package dev.keepalive.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import dev.keepalive.test.AllowBodyLeaks;
import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Design §11, for real: Debian's {@code prometheus} (package {@code prometheus}) scrapes the running sample's
 * {@code /actuator/prometheus} every second with the project's alerting rules loaded; the storm demo exhausts
 * the pool, and Prometheus's HTTP API shows {@code KeepAlivePoolExhausted} pending or firing. The test starts
 * Prometheus on a free port of 127.0.0.1 with its storage in a temporary folder, and stops it by its own
 * process handle. Skipped only where no {@code prometheus} binary is installed (CI installs it).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class PrometheusAlertTests {

    private static final Path PROMETHEUS = Path.of(System.getProperty("prometheus.binary", "/usr/bin/prometheus"));

    @LocalServerPort
    private int port;

    @Autowired
    private KeepAliveTransport transport;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @AllowBodyLeaks(reason = "the /demo/storm route leaks its bodies on purpose to exhaust the pool")
    void theStormFiresThePoolExhaustionAlertInARealPrometheus(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "No Prometheus at " + PROMETHEUS + ": install Debian's prometheus"
                + " package (apt-get install prometheus) or pass -Dprometheus.binary=…; CI installs it");
        SampleHttp sample = new SampleHttp(this.port);
        OpenBodies.reclaimAll(this.transport);
        sample.getJson("/demo/correct", 200); // the route's meters exist, the timeout count at zero

        int prometheusPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: sample
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(OpsFiles.alertRules().toAbsolutePath(), this.port));
        Path log = dir.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
        try {
            await("Prometheus scraping the sample, the route's timeout count at zero").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class) // until it listens
                .untilAsserted(() -> {
                    assertThat(prometheus.isAlive()).as("prometheus running; its log: %s", logOf(log)).isTrue();
                    List<String> values = JsonPath.read(get(api + "query?query=" + URLEncoder.encode(
                            "keepalive_connections_acquire_seconds_count{outcome=\"timeout\"}", StandardCharsets.UTF_8)),
                            "$.data.result[*].value[1]");
                    assertThat(values).isNotEmpty();
                });
            assertThat(alerts(api, "KeepAlivePoolExhausted")).isEmpty();

            assertThat(sample.get("/demo/storm?n=10").statusCode()).isEqualTo(503);

            await("KeepAlivePoolExhausted pending or firing").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(alerts(api, "KeepAlivePoolExhausted")).isNotEmpty()
                    .allSatisfy((state) -> assertThat(state).isIn("pending", "firing")));
            String route = JsonPath.<List<String>>read(get(api + "alerts"),
                    "$.data.alerts[?(@.labels.alertname == 'KeepAlivePoolExhausted')].labels.route").get(0);
            assertThat(route).isEqualTo("http://127.0.0.1:" + this.port);
        }
        finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            OpenBodies.reclaimAll(this.transport);
        }
        assertThat(prometheus.isAlive()).isFalse();
    }

    /** The states of the alerts named {@code name} that Prometheus reports now. */
    private List<String> alerts(String api, String name) throws IOException, InterruptedException {
        return JsonPath.read(get(api + "alerts"), "$.data.alerts[?(@.labels.alertname == '" + name + "')].state");
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = this.http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }

    private static String logOf(Path log) {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            return "(unreadable: " + ex.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
