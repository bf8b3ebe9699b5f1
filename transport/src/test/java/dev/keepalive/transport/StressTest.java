package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.keepalive.transport.internal.body.BodyTracker;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many threads, mixed usage, one pool: afterwards every counter balances and no socket is open beyond the
 * idle ones; while it runs, a sampler checks the caps and the connection accounting. Sized by system
 * properties so that a script can run the long version: {@code stress.threads} (64),
 * {@code stress.requests} (200 000), {@code stress.seconds} (300, the time bound), {@code stress.leakEvery}
 * (500: one response in 500 is dropped unclosed and must be reclaimed; 0 = none), {@code stress.virtual} (run on
 * virtual threads, JDK 21+). Three requests in a hundred are closed by another thread (a watchdog) while they are
 * read, so that reads, EOF, drains, closes and leak reclaims race on every path (design §3 rule 15).
 */
class StressTest {

    private static final int MAX_CONNS = 24;

    private final int threads = Integer.getInteger("stress.threads", 64);
    private final int requests = Integer.getInteger("stress.requests", 200_000);
    private final long seconds = Long.getLong("stress.seconds", 300);
    private final int leakEvery = Integer.getInteger("stress.leakEvery", 500);
    private final boolean virtual = Boolean.getBoolean("stress.virtual");
    private final ExecutorService watchdogs = Executors.newFixedThreadPool(4);
    private final LongAdder closedUnderRead = new LongAdder();

    @Test
    void mixedLoadKeepsEveryCounterBalanced() throws Exception {
        KeepAliveSettings settings = KeepAliveSettings.builder().maxConnsPerHost(MAX_CONNS).maxIdleConnsPerHost(16)
                .acquireTimeout(Duration.ofSeconds(30)).leakThreshold(Duration.ofSeconds(5)).build();
        try (LoopbackHttpServer server = new LoopbackHttpServer(1500);
                KeepAliveTransport transport = KeepAliveTransport.create(settings)) {
            RestClient rest = RestClient.builder().requestFactory(transport.requestFactory()).build();
            PinningRecorder pinning = this.virtual ? PinningRecorder.start() : null;
            // Hundreds of deliberate leaks: their ERROR lines would bury the test output.
            ch.qos.logback.classic.Logger leakLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                    .getLogger(BodyTracker.class);
            leakLog.setLevel(ch.qos.logback.classic.Level.OFF);
            try {
                Queue<String> violations = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                Thread sampler = new Thread(() -> sample(transport, running, violations), "stress-sampler");
                sampler.start();

                AtomicInteger next = new AtomicInteger();
                LongAdder failures = new LongAdder();
                Queue<Throwable> firstFailures = new ConcurrentLinkedQueue<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(this.seconds);
                long start = System.nanoTime();
                ExecutorService pool = executor();
                for (int t = 0; t < this.threads; t++) {
                    pool.execute(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < this.requests && System.nanoTime() < deadline) {
                            try {
                                oneRequest(i, server, transport, rest);
                            }
                            catch (Exception ex) {
                                failures.increment();
                                if (firstFailures.size() < 5) {
                                    firstFailures.add(ex);
                                }
                            }
                        }
                    });
                }
                pool.shutdown();
                assertThat(pool.awaitTermination(this.seconds + 30, TimeUnit.SECONDS)).isTrue();
                long elapsed = System.nanoTime() - start;
                running.set(false);
                sampler.join();

                int done = Math.min(next.get(), this.requests);
                System.out.printf("stress: %d requests, %d threads%s in %.1f s = %.0f req/s; %s%n", done, this.threads,
                        this.virtual ? " (virtual)" : "", elapsed / 1e9, done / (elapsed / 1e9), transport.pool());
                assertThat(firstFailures).as("failed requests").isEmpty();
                assertThat(failures.sum()).isZero();
                assertThat(violations).as("invariant violations seen while running").isEmpty();
                if (pinning != null) {
                    assertThat(pinning.stop()).as("virtual threads pinned in keepalive code").isEmpty();
                }
                assertThat(done).as("requests done within the time bound").isEqualTo(this.requests);

                // Bodies read to EOF but never closed (and dropped ones) are settled by the collector.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    System.gc();
                    return transport.bodies().open() == 0 && transport.pool().active() == 0;
                });
            }
            finally {
                leakLog.setLevel(null);
                this.watchdogs.shutdownNow();
            }
            PoolAssertions.assertBalanced(transport);
            assertThat(this.closedUnderRead.sum()).as("reads ended by a close on another thread").isPositive();
            BodiesSnapshot bodies = transport.bodies();
            assertThat(bodies.earlyCloseDrained()).isPositive();
            assertThat(bodies.earlyCloseDiscarded()).isPositive();
            assertThat(bodies.eofNotClosed()).isPositive();
            long dropped = this.leakEvery > 0 ? (this.requests + this.leakEvery - 1) / this.leakEvery : 0;
            assertThat(bodies.leaked()).as("every dropped response found").isEqualTo(dropped);
            assertThat(transport.pool().closedBy().get(CloseReason.LEAK_RECLAIMED)).isEqualTo(dropped);
            assertThat(transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isPositive();
            // No socket beyond the idle ones: the server may already have closed some idle ones itself.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(server.openConnections()).isLessThanOrEqualTo(transport.pool().idle()));
        }
    }

    private void oneRequest(int i, LoopbackHttpServer server, KeepAliveTransport transport, RestClient rest)
            throws IOException {
        if (this.leakEvery > 0 && i % this.leakEvery == 0) {
            transport.requestFactory().createRequest(server.uri("/bytes/512"), HttpMethod.GET).execute();
            return; // dropped on purpose: the leak detector must take the connection back
        }
        int kind = i % 100;
        if (kind < 60) {
            readAndClose(transport, server, "/bytes/512", Integer.MAX_VALUE);
        }
        else if (kind < 70) {
            ClientHttpResponse response = transport.requestFactory().createRequest(server.uri("/chunked/2048"),
                    HttpMethod.GET).execute();
            response.getBody().readAllBytes(); // read to EOF, never closed: Go's "it works, but"
        }
        else if (kind < 78) {
            readAndClose(transport, server, "/bytes/16384", 100); // closed early, drained
        }
        else if (kind < 82) {
            readAndClose(transport, server, "/bytes/300000", 100); // closed early, over the drain budget
        }
        else if (kind < 88) {
            try (ClientHttpResponse response = transport.requestFactory()
                    .createRequest(server.uri("/error"), HttpMethod.GET).execute()) {
                if (response.getStatusCode().value() != 500) {
                    throw new IllegalStateException("expected 500, got " + response.getStatusCode());
                }
                response.getBody().readAllBytes();
            }
        }
        else if (kind < 94) {
            readAndClose(transport, server, "/close/256", Integer.MAX_VALUE); // the server closes after it
        }
        else if (kind < 97) {
            closeWhileReading(transport, server, kind == 94 ? "/bytes/4096" : kind == 95 ? "/chunked/8192"
                    : "/bytes/200000");
        }
        else {
            String body = rest.get().uri(server.uri("/bytes/128")).retrieve().body(String.class);
            if (body == null || body.length() != 128) {
                throw new IllegalStateException("short body");
            }
        }
    }

    private static void readAndClose(KeepAliveTransport transport, LoopbackHttpServer server, String path, int limit)
            throws IOException {
        try (ClientHttpResponse response = transport.requestFactory().createRequest(server.uri(path), HttpMethod.GET)
                .execute()) {
            InputStream body = response.getBody();
            byte[] buffer = new byte[8192];
            int total = 0;
            int n;
            while (total < limit && (n = body.read(buffer, 0, Math.min(buffer.length, limit - total))) != -1) {
                total += n;
            }
        }
    }

    /**
     * A watchdog closes the response on another thread while this one reads it: whichever gets there first,
     * the read ends (at EOF, or with an exception) and the connection is released once.
     */
    private void closeWhileReading(KeepAliveTransport transport, LoopbackHttpServer server, String path)
            throws IOException {
        ClientHttpResponse response = transport.requestFactory().createRequest(server.uri(path), HttpMethod.GET)
                .execute();
        java.util.concurrent.Future<?> watchdog = this.watchdogs.submit(response::close);
        try {
            response.getBody().readAllBytes();
        }
        catch (IOException expected) {
            this.closedUnderRead.increment();
        }
        try {
            watchdog.get(30, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException("the watchdog's close did not finish", ex);
        }
    }

    /** Checks the pool's invariants from its snapshots while the load runs. */
    private static void sample(KeepAliveTransport transport, AtomicBoolean running, Queue<String> violations) {
        while (running.get() && violations.size() < 10) {
            PoolSnapshot pool = transport.pool();
            if (pool.opened() != pool.closed() + pool.active() + pool.idle()) {
                violations.add("unbalanced: " + pool);
            }
            if (pool.active() < 0 || pool.idle() < 0) {
                violations.add("negative count: " + pool);
            }
            for (RouteSnapshot route : pool.routes()) {
                if (route.active() + route.idle() > MAX_CONNS) {
                    violations.add("over the cap: " + route);
                }
                if (route.connections().size() != route.active() + route.idle()) {
                    violations.add("connection states do not add up: " + route);
                }
                long idleListed = route.connections().stream().filter((c) -> c.state().equals("idle")).count();
                if (idleListed != route.idle()) {
                    violations.add("idle count differs from idle connections: " + route);
                }
            }
            LockSupportPause.pause(Duration.ofMillis(5));
        }
    }

    private ExecutorService executor() throws ReflectiveOperationException {
        if (!this.virtual) {
            return Executors.newFixedThreadPool(this.threads);
        }
        Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor"); // JDK 21+
        return (ExecutorService) factory.invoke(null);
    }

    /** The sampler's pacing (not a wait for a condition). */
    private static final class LockSupportPause {

        static void pause(Duration duration) {
            java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
        }
    }
}
