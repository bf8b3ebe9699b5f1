package com.example.onedependency;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a check: what keepalive-test's per-test leak check costs a suite that leaks nothing.
 * 500 test methods (repetitions) on one cached context, each doing one clean request; the class prints the
 * time per test method from the first to the last. Run it with and without keepalive-test on the test class
 * path (the {@code without-keepalive-test} profile removes it) and compare:
 *
 * <pre>
 * mvn -B -q -pl starter-it -am test -Dtest=LeakCheckCostTests -Dsurefire.failIfNoSpecifiedTests=false -Dcheck.cost=run
 * mvn -B -q -pl starter-it -am test -Dtest=LeakCheckCostTests -Dsurefire.failIfNoSpecifiedTests=false -Dcheck.cost=run -Pwithout-keepalive-test
 * </pre>
 */
@EnabledIfSystemProperty(named = "check.cost", matches = "run")
@SpringBootTest(classes = OneDependencyApplication.class)
class LeakCheckCostTests {

    private static final int TESTS = 500;

    private static HttpServer upstream;

    private static long firstStarted;

    private static int done;

    @Autowired
    private OneDependencyApplication.UpstreamClient client;

    @BeforeAll
    static void startUpstream() throws IOException {
        // Without TCP_NODELAY the JDK server's header and body writes meet the client's delayed ACK: ~40 ms a request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/ok", (exchange) -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
    }

    @AfterAll
    static void report() {
        long nanos = System.nanoTime() - firstStarted;
        boolean checked = LeakCheckCostTests.class.getClassLoader()
                .getResource("dev/keepalive/test/KeepAliveLeakCheck.class") != null;
        System.out.printf("check-cost: %d test methods %s keepalive-test in %.1f ms = %.1f us per test method%n", done,
                checked ? "with" : "without", nanos / 1e6, nanos / 1e3 / done);
        upstream.stop(0);
    }

    @RepeatedTest(TESTS)
    void oneCleanRequest() {
        if (firstStarted == 0) {
            firstStarted = System.nanoTime();
        }
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/ok";
        assertThat(this.client.viaRestClient(url)).isEqualTo("ok");
        done++;
    }
}
