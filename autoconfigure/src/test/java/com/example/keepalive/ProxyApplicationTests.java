package com.example.keepalive;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code keepalive.proxy.url} with credentials in a real web application, through a real tinyproxy that
 * requires them: RestClient from Boot's builder reaches a plain origin through the proxy and a self-signed
 * TLS origin through a CONNECT tunnel, trusted by the Boot SSL bundle named in
 * {@code spring.http.clients.ssl.bundle} (the bundle applies to the target, not the proxy); an {@code https}
 * call the proxy refuses to tunnel fails naming proxy and target; and the route shows as
 * {@code http://host:port via http://proxy:port} in {@code httppools} and in the metrics. The password,
 * the user and their Basic encoding appear nowhere: not in the JSON of {@code httppools},
 * {@code httppools/{route}}, {@code httpbodies}, {@code health}, {@code metrics}, {@code configprops} and
 * {@code env} (both told to show values), not in anything logged from start-up on, not in the exception.
 */
@SpringBootTest(classes = ReportApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
                "management.endpoints.web.exposure.include=health,metrics,httppools,httpbodies,configprops,env",
                "management.endpoint.health.show-details=always", "management.endpoint.configprops.show-values=always",
                "management.endpoint.env.show-values=always", "keepalive.proxy.no-proxy=.internal.example" })
@ExtendWith(OutputCaptureExtension.class)
class ProxyApplicationTests {

    private static final String USER = "proxy-user";

    private static final String PASSWORD = "pr0xy-s3cret";

    @TempDir
    static Path dir;

    private static MockWebServer origin;

    private static MockWebServer tlsOrigin;

    private static Path trusted;

    private static Tinyproxy proxy;

    private final HttpClient actuatorClient = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private RestClient.Builder restClientBuilder;

    @BeforeAll
    static void start() throws IOException {
        origin = new MockWebServer();
        origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String via = request.getHeaders().get("Via");
                return new MockResponse.Builder().body((via != null) ? "via " + via : "direct").build();
            }
        });
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
        HeldCertificate certificate = new HeldCertificate.Builder().commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
        trusted = Files.writeString(dir.resolve("origin.pem"), certificate.certificatePem());
        tlsOrigin = new MockWebServer();
        tlsOrigin.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
        tlsOrigin.setDispatcher(origin.getDispatcher());
        tlsOrigin.start(InetAddress.getByName("127.0.0.1"), 0);
        // CONNECT only to the TLS origin's port: a tunnel to any other port is refused with 403.
        proxy = Tinyproxy.start(dir, USER, PASSWORD, tlsOrigin.getPort());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (tlsOrigin != null) {
            tlsOrigin.close();
        }
    }

    @DynamicPropertySource
    static void proxyUrl(DynamicPropertyRegistry registry) {
        registry.add("keepalive.proxy.url", () -> "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port());
        registry.add("spring.ssl.bundle.pem.origin.truststore.certificate", () -> "file:" + trusted);
        registry.add("spring.http.clients.ssl.bundle", () -> "origin");
    }

    @Test
    void requestsGoThroughTheProxyAndNothingShowsItsCredentials(CapturedOutput output) throws Exception {
        RestClient client = this.restClientBuilder.build();
        String target = "127.0.0.1:" + origin.getPort();
        String proxyName = "http://127.0.0.1:" + proxy.port();
        assertThat(client.get().uri("http://" + target + "/hello").retrieve().body(String.class)).startsWith("via ")
            .contains("tinyproxy");
        String tlsTarget = "127.0.0.1:" + tlsOrigin.getPort();
        assertThat(client.get().uri("https://" + tlsTarget + "/secure").retrieve().body(String.class))
            .as("a tunnel carries the bytes untouched")
            .isEqualTo("direct");
        assertThat(tlsOrigin.takeRequest().getHandshake()).isNotNull();

        ResourceAccessException refused = catchThrowableOfType(ResourceAccessException.class,
                () -> client.get().uri("https://" + target + "/secure").retrieve().body(String.class));
        assertThat(refused)
            .hasMessageContaining("Proxy " + proxyName + " refused the tunnel to " + target + ": 403 Forbidden");

        String route = "http://" + target + " via " + proxyName;
        List<String> pages = new ArrayList<>();
        pages.add(get("/actuator/httppools"));
        assertThat(JsonPath.<List<String>>read(pages.get(0), "$.pools[*].route")).contains(route,
                "https://" + tlsTarget + " via " + proxyName, "https://" + target + " via " + proxyName);
        // Spaces as %20, and the proxy's scheme written "http:" where a server would collapse "//".
        pages.add(get("/actuator/httppools/" + target + "%20via%20http:127.0.0.1:" + proxy.port()));
        assertThat(JsonPath.<String>read(pages.get(1), "$.route")).isEqualTo(route);
        pages.add(get("/actuator/metrics/keepalive.connections.opened"));
        assertThat(JsonPath.<List<String>>read(pages.get(2), "$.availableTags[?(@.tag == 'route')].values[*]"))
            .contains(route);
        pages.add(get("/actuator/httpbodies"));
        pages.add(get("/actuator/health"));
        pages.add(get("/actuator/configprops"));
        assertThat(pages.get(pages.size() - 1)).contains("http://******@127.0.0.1:" + proxy.port());
        pages.add(get("/actuator/env"));
        assertThat(pages.get(pages.size() - 1)).contains("http://******@127.0.0.1:" + proxy.port());

        for (String page : pages) {
            assertNoSecret(page);
        }
        for (Throwable t = refused; t != null; t = t.getCause()) {
            assertNoSecret(String.valueOf(t.getMessage()));
        }
        assertThat(output.getAll()).containsOnlyOnce("keepalive sends http and https requests through proxy "
                + proxyName + " (from proxy.url); bypassed as proxy.no-proxy=.internal.example");
        assertNoSecret(output.getAll());
    }

    private static void assertNoSecret(String text) {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(text).doesNotContain(PASSWORD).doesNotContain(USER).doesNotContain(basic);
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
        HttpResponse<String> response = this.actuatorClient.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

}
