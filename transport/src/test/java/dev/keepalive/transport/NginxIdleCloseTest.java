package dev.keepalive.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Design §3 rule 16 against a real nginx: with {@code keepalive_timeout} T and no {@code Keep-Alive} header,
 * POSTs spaced 0.9 T to 1.1 T apart (seeded) never go into a connection nginx had already closed, and none
 * fails (a POST is not retried); the connections nginx closed are counted as {@code server-close}.
 *
 * <p>The idle check alone leaves a POST written in the instant nginx's timer fires: checked alive an instant
 * before the close, it crosses the close on the wire (rule 10; Go's and the JDK's clients lose about one in
 * 150 that way, 0 to 4 in 150 here under heavy load). Once the pool has seen nginx close an idle connection, it
 * retires the route's idle connections an eighth before that age (LearnedIdleTimeout), so that no POST meets
 * the close; only the first close seen may itself be such a crossing, or, under heavy load, a client thread kept
 * off the CPU for longer than the margin (a POST at 276 of 300 ms crossed once with a 20 ms margin at a load
 * average of 16 on two cores). So the test allows {@link #MAX_CROSSINGS}, each on a reused connection, and
 * prints every failure with the time the connection had been idle and whether the pool had seen a close yet.
 *
 * <p>{@code mvn verify} runs it with T = 300 ms (about 45 s); {@code scripts/nginx-idle-close.sh} runs the
 * issue's scenario, T = 1 s (about 150 s), with {@code -Dkeepalive.nginx.full=true}.
 */
class NginxIdleCloseTest {

    private static final boolean FULL = Boolean.getBoolean("keepalive.nginx.full");
    private static final int REQUESTS = 150;
    private static final long SEED = 13;
    /**
     * POSTs that may cross nginx's close on the wire: the first close the pool sees may be one, and a client
     * thread kept off the CPU for longer than the margin between getting the connection back and the server's
     * timer (an eighth of it) can make another; on a quiet machine none does.
     */
    private static final int MAX_CROSSINGS = 1;

    @Test
    void postsSpacedAroundNginxsKeepAliveTimeoutNeverFail() throws Exception {
        long timeoutMillis = FULL ? 1000 : 300;
        List<String> failures = new ArrayList<>();
        List<String> afterCloseSeen = new ArrayList<>();
        try (NginxServer nginx = NginxServer.start("""
                  log_format requests '$connection $connection_requests $request_method $request_uri';
                  keepalive_timeout %dms;
                  keepalive_requests 1000000;
                  server {
                    listen 127.0.0.1:$PORT;
                    access_log logs/access.log requests;
                    location / { return 200 "ok\\n"; }
                  }
                """.formatted(timeoutMillis));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder().build())) {
            KeepAliveRequestFactory factory = transport.requestFactory();
            Random random = new Random(SEED);
            long lastEnd = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                boolean closeSeen = transport.pool().closedBy().get(CloseReason.SERVER_CLOSE) > 0;
                long start = System.nanoTime();
                long idleMillis = (start - lastEnd) / 1_000_000;
                try {
                    post(factory, nginx.uri("/orders/" + i), "order " + i);
                }
                catch (IOException ex) {
                    (closeSeen ? afterCloseSeen : failures).add("POST #" + i + " after " + idleMillis
                            + " ms idle" + (closeSeen ? ", nginx's timeout learned" : "") + ": " + ex.getMessage());
                }
                lastEnd = System.nanoTime();
                pause(Math.round(timeoutMillis * (0.9 + 0.2 * random.nextDouble())));
            }
            PoolSnapshot pool = transport.pool();
            long serverClose = pool.closedBy().get(CloseReason.SERVER_CLOSE);
            List<String> served = Files.readAllLines(nginx.prefix().resolve("logs/access.log"));
            System.out.printf("nginx keepalive_timeout %d ms, POSTs spaced %d-%d ms: %d failures of %d (%d after"
                    + " the first close was seen); connections opened %d, closed by server-close %d, by idle-timeout"
                    + " %d, reused %d%n", timeoutMillis, timeoutMillis * 9 / 10, timeoutMillis * 11 / 10,
                    failures.size() + afterCloseSeen.size(), REQUESTS, afterCloseSeen.size(), pool.opened(), serverClose,
                    pool.closedBy().get(CloseReason.IDLE_TIMEOUT), pool.reused());
            failures.forEach((failure) -> System.out.println("failed: " + failure));
            afterCloseSeen.forEach((failure) -> System.out.println("failed: " + failure));

            failures.addAll(afterCloseSeen);
            assertThat(failures).as("POSTs that failed (at most one may cross nginx's close on the wire)")
                    .hasSizeLessThanOrEqualTo(MAX_CROSSINGS).allMatch((failure) -> failure.contains("(reused)"));
            assertThat(served).as("nginx served every other POST exactly once (none was sent twice)")
                    .hasSize(REQUESTS - failures.size())
                    .allMatch((line) -> line.contains(" POST /orders/"))
                    .extracting((line) -> line.substring(line.lastIndexOf(' ') + 1)).doesNotHaveDuplicates();
            assertThat(pool.closedBy().get(CloseReason.ERROR)).isZero();
            assertThat(serverClose).as("idle connections nginx closed, counted server-close").isPositive();
            PoolAssertions.assertBalanced(transport);
        }
    }

    private static void post(KeepAliveRequestFactory factory, URI uri, String body) throws IOException {
        ClientHttpRequest request = factory.createRequest(uri, HttpMethod.POST);
        request.getBody().write(body.getBytes(StandardCharsets.UTF_8));
        try (ClientHttpResponse response = request.execute()) {
            assertThat(response.getStatusCode().value()).isEqualTo(200);
            assertThat(response.getBody().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("ok\n");
        }
    }

    /** The scenario's pace between two requests, not a wait for a condition. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
