package dev.keepalive.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.jayway.jsonpath.DocumentContext;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code demo.upstream-url} sends the demos to another server instead of the sample itself.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class UpstreamUrlTests {

    private static final List<String> seen = new CopyOnWriteArrayList<>();

    private static final HttpServer other = start();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("demo.upstream-url", () -> "http://127.0.0.1:" + other.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        other.stop(0);
    }

    @Test
    void demosCallTheConfiguredUpstream() throws Exception {
        String otherRoute = "http://127.0.0.1:" + other.getAddress().getPort();
        DocumentContext json = new SampleHttp(this.port).getJson("/demo/correct?path=/elsewhere/hello", 200);
        assertThat(json.<String>read("$.route")).isEqualTo(otherRoute);
        assertThat(json.<String>read("$.uri")).isEqualTo(otherRoute + "/elsewhere/hello");
        assertThat(json.<Integer>read("$.bytesRead")).isEqualTo(5);
        assertThat(seen).containsExactly("/elsewhere/hello");
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", (exchange) -> {
                seen.add(exchange.getRequestURI().getPath());
                byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start the stand-in upstream", ex);
        }
    }

}
