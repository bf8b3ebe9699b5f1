package dev.keepalive.test;

import java.net.InetAddress;
import java.net.URI;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.StackCapture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a check: the cost of the leak check itself for a test that leaves nothing open (open a
 * window, end it), without the noise of a test runner and a request around it. Run with
 * {@code mvn -B -q -pl test-support -am test -Dtest=CleanCheckCostTest -Dsurefire.failIfNoSpecifiedTests=false -Dcheck.cost=run}.
 */
@EnabledIfSystemProperty(named = "check.cost", matches = "run")
class CleanCheckCostTest {

    @Test
    void windowsOnATransportWithNothingOpen() throws Exception {
        try (MockWebServer server = new MockWebServer();
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .captureStack(StackCapture.ALWAYS).build())) {
            server.enqueue(new MockResponse.Builder().body("ok").build());
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            try (ClientHttpResponse response = transport.requestFactory()
                    .createRequest(URI.create("http://127.0.0.1:" + server.getPort() + "/"), HttpMethod.GET).execute()) {
                response.getBody().readAllBytes();
            }
            CheckOptions options = CheckOptions.fromSystemProperties();
            int failed = 0;
            for (int round = 0; round < 5; round++) {
                int checks = 200_000;
                long started = System.nanoTime();
                for (int i = 0; i < checks; i++) {
                    failed += LeakCheck.end(TestWindow.open(transport), options, "cost").failed() ? 1 : 0;
                }
                long nanos = System.nanoTime() - started;
                System.out.printf("check-cost: round %d: %d clean checks, %.0f ns per check%n", round, checks,
                        (double) nanos / checks);
            }
            assertThat(failed).isZero();
        }
    }
}
