package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.keepalive.transport.internal.body.BodyTracker;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 22: closing the transport closes idle connections at once, refuses new requests, lets
 * exchanges in flight finish within {@code shutdown-grace}, then closes them; shutdown is never a pool timeout.
 */
class ShutdownTest {

    /** A thread per task: the blocking tasks here must never queue behind each other on a small common pool. */
    private static final java.util.concurrent.Executor OWN_THREAD = (task) -> {
        Thread thread = new Thread(task, "test-task");
        thread.setDaemon(true);
        thread.start();
    };

    private static final String BODY = "x".repeat(64 * 1024);

    /** A peer that answers {@code /slow} with its head and half its body, the rest when told to. */
    private static RawPeer slowPeer(CountDownLatch sendRest) throws IOException {
        return new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                if (request.startsWith("GET /slow")) {
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n"
                            + BODY.substring(0, 1000));
                    sendRest.await();
                    conn.write(BODY.substring(1000));
                }
                else {
                    conn.write(RawPeer.ok("quick"));
                }
            }
        });
    }

    @Test
    void closeKeepsExchangesInFlightClosesIdleOnesAndRefusesNewRequests() throws Exception {
        CountDownLatch sendRest = new CountDownLatch(1);
        try (RawPeer peer = slowPeer(sendRest)) {
            KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                    .shutdownGrace(Duration.ofSeconds(30)).build());
            KeepAliveRequestFactory factory = transport.requestFactory();
            try (ClientHttpResponse quick = factory.createRequest(peer.uri("/quick"), HttpMethod.GET).execute()) {
                quick.getBody().readAllBytes();
            }
            ClientHttpResponse inFlight = factory.createRequest(peer.uri("/slow"), HttpMethod.GET).execute();
            assertThat(transport.pool().idle()).isZero(); // the idle one carries the slow exchange now
            try (ClientHttpResponse other = factory.createRequest(peer.uri("/quick"), HttpMethod.GET).execute()) {
                other.getBody().readAllBytes();
            }
            assertThat(transport.pool().idle()).isEqualTo(1);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(transport::close, OWN_THREAD);

            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pool().idle() == 0 && transport.isClosed());
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 1); // the idle socket is gone
            assertThatThrownBy(() -> factory.createRequest(peer.uri("/quick"), HttpMethod.GET).execute())
                    .isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThat(closing).isNotDone();

            sendRest.countDown();
            assertThat(inFlight.getBody().readAllBytes()).hasSize(BODY.length());
            inFlight.close();

            closing.get(5, TimeUnit.SECONDS);
            PoolSnapshot pool = transport.pool();
            assertThat(pool.active()).isZero();
            assertThat(pool.closedBy().get(CloseReason.SHUTDOWN)).isEqualTo(2);
            assertThat(pool.closedBy().get(CloseReason.ERROR)).isZero();
            assertThat(transport.bodies().eof()).isEqualTo(3);
            PoolAssertions.assertBalanced(transport);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
        }
    }

    @Test
    void exchangeStillRunningAfterTheGraceIsClosedUnderItsReader() throws Exception {
        CountDownLatch sendRest = new CountDownLatch(1);
        try (RawPeer peer = slowPeer(sendRest)) {
            KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                    .shutdownGrace(Duration.ofMillis(300)).build());
            ClientHttpResponse inFlight = transport.requestFactory().createRequest(peer.uri("/slow"), HttpMethod.GET)
                    .execute();
            InputStream body = inFlight.getBody();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    body.readAllBytes();
                    return null;
                }
                catch (IOException ex) {
                    return ex;
                }
            }, OWN_THREAD);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.bodies().bodies().get(0).bytesRead() >= 1000);

            long start = System.nanoTime();
            transport.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMillis).as("close waits for the grace, and not much longer").isBetween(250L, 5000L);
            assertThat(reader.get(5, TimeUnit.SECONDS)).as("the blocked read ends").isInstanceOf(IOException.class);
            inFlight.close();
            sendRest.countDown();
            PoolSnapshot pool = transport.pool();
            assertThat(pool.active()).isZero();
            assertThat(pool.closedBy().get(CloseReason.SHUTDOWN)).isEqualTo(1);
            assertThat(transport.bodies().open()).isZero();
            PoolAssertions.assertBalanced(transport);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
        }
    }

    @Test
    void callersWaitingAtTheCapGetAClosedErrorNotAPoolTimeout() throws Exception {
        CountDownLatch sendRest = new CountDownLatch(1);
        try (RawPeer peer = slowPeer(sendRest)) {
            KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                    .acquireTimeout(Duration.ofSeconds(30)).shutdownGrace(Duration.ofMillis(200)).build());
            List<AcquireOutcome> outcomes = new CopyOnWriteArrayList<>();
            transport.addListener(new TransportListener() {
                @Override
                public void connectionAcquired(String route, AcquireOutcome outcome, long nanos) {
                    outcomes.add(outcome);
                }
            });
            KeepAliveRequestFactory factory = transport.requestFactory();
            ClientHttpResponse holder = factory.createRequest(peer.uri("/slow"), HttpMethod.GET).execute();
            CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
                try (ClientHttpResponse response = factory.createRequest(peer.uri("/quick"), HttpMethod.GET).execute()) {
                    return null;
                }
                catch (IOException ex) {
                    return ex;
                }
            }, OWN_THREAD);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pool().waiting() == 1);

            transport.close();

            Throwable failure = waiter.get(5, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(IOException.class).isNotInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("closed");
            assertThat(transport.pool().lastAcquireTimeoutMillis()).as("no pool timeout recorded").isZero();
            assertThat(outcomes).doesNotContain(AcquireOutcome.TIMEOUT);
            assertThat(transport.pool().waiting()).isZero();
            holder.close();
            sendRest.countDown();
            PoolAssertions.assertBalanced(transport);
        }
    }

    /**
     * Shutdown racing exchanges on every path (EOF, early close, a close on another thread, a dropped body):
     * each connection is released once, the counts balance, and no socket stays open.
     */
    @Test
    void shutdownRacingExchangesOnEveryPathLeavesTheCountsBalancedAndNoSocketOpen() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer()) {
            KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(32)
                    .acquireTimeout(Duration.ofSeconds(30)).shutdownGrace(Duration.ofMillis(200)).build());
            // The dropped bodies' ERROR lines would bury the output.
            ch.qos.logback.classic.Logger leakLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                    .getLogger(BodyTracker.class);
            leakLog.setLevel(ch.qos.logback.classic.Level.OFF);
            java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(16);
            java.util.concurrent.ExecutorService watchdogs = java.util.concurrent.Executors.newFixedThreadPool(4);
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            java.util.Queue<Throwable> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();
            KeepAliveRequestFactory factory = transport.requestFactory();
            for (int t = 0; t < 16; t++) {
                int worker = t;
                workers.execute(() -> {
                    for (int i = 0;; i++) {
                        try {
                            ClientHttpResponse response = factory.createRequest(
                                    server.uri("/bytes/" + (i % 2 == 0 ? 2048 : 200_000)), HttpMethod.GET).execute();
                            switch ((worker + i) % 4) {
                                case 0 -> {
                                    try (response) {
                                        response.getBody().readAllBytes();
                                    }
                                }
                                case 1 -> {
                                    try (response) {
                                        response.getBody().read(new byte[100]);
                                    }
                                }
                                case 2 -> {
                                    java.util.concurrent.Future<?> closer = watchdogs.submit(response::close);
                                    try {
                                        response.getBody().readAllBytes();
                                    }
                                    finally {
                                        closer.get(10, TimeUnit.SECONDS);
                                    }
                                }
                                default -> {
                                    if (i % 8 != 3) {
                                        try (response) {
                                            response.getBody().readAllBytes();
                                        }
                                    }
                                    // else dropped: the leak detector or the shutdown takes it back
                                }
                            }
                            done.incrementAndGet();
                        }
                        catch (IOException expected) {
                            // a read ended by a close, or a request refused after the shutdown
                            if (transport.isClosed()) {
                                return;
                            }
                        }
                        catch (Throwable ex) {
                            unexpected.add(ex);
                            return;
                        }
                    }
                });
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= 300);
                transport.close();
            }
            finally {
                leakLog.setLevel(null);
            }

            workers.shutdown();
            assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            watchdogs.shutdownNow();
            assertThat(unexpected).isEmpty();
            PoolSnapshot pool = transport.pool();
            assertThat(pool.active()).isZero();
            assertThat(pool.idle()).isZero();
            assertThat(pool.waiting()).isZero();
            assertThat(pool.opened()).isEqualTo(pool.closed());
            PoolAssertions.assertBalanced(transport);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
        }
    }
}
