package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 15: a response read on one thread and closed on another (a watchdog, a cancel) gives its
 * connection back exactly once, whichever gets there first, and a close ends a blocked read.
 */
class CrossThreadCloseTest {

    /** A thread per task: the blocking tasks here must never queue behind each other on a small common pool. */
    private static final java.util.concurrent.Executor OWN_THREAD = (task) -> {
        Thread thread = new Thread(task, "test-task");
        thread.setDaemon(true);
        thread.start();
    };

    private static final int MAX_CONNS = 2;

    /**
     * A reader and a closer race over the same response, tens of thousands of times. After each round the
     * pool must hold no active connection, list every idle connection it counts, balance its counters, and
     * two callers at once must get two different connections.
     */
    @Test
    void readerAndCloserRaceReleaseTheConnectionExactlyOnce() throws Exception {
        int rounds = Integer.getInteger("race.rounds", 20_000);
        KeepAliveSettings settings = KeepAliveSettings.builder().maxConnsPerHost(MAX_CONNS)
                .acquireTimeout(Duration.ofSeconds(5)).build();
        ExecutorService readers = Executors.newSingleThreadExecutor();
        try (LoopbackHttpServer server = new LoopbackHttpServer();
                KeepAliveTransport transport = KeepAliveTransport.create(settings)) {
            KeepAliveRequestFactory factory = transport.requestFactory();
            List<String> violations = new ArrayList<>();
            CyclicBarrier start = new CyclicBarrier(2);
            for (int round = 0; round < rounds && violations.size() < 5; round++) {
                // Sizes around one read buffer, so that EOF, the last read and the close all interleave.
                URI uri = server.uri("/bytes/" + (1 + round % 3) * 4096);
                ClientHttpResponse response = factory.createRequest(uri, HttpMethod.GET).execute();
                InputStream body = response.getBody();
                Future<?> reader = readers.submit(() -> {
                    start.await();
                    try {
                        body.readAllBytes();
                    }
                    catch (IOException expected) {
                        // closed under the read: what a cancel does
                    }
                    return null;
                });
                start.await();
                if (round % 2 == 1) {
                    Thread.onSpinWait(); // vary who tends to get there first
                }
                response.close();
                reader.get(10, TimeUnit.SECONDS);
                check(round, transport, violations);
                if (round % 8 == 0) {
                    twoCallersGetTwoConnections(factory, server, round, violations);
                }
            }
            assertThat(violations).as("invariants broken by a cross-thread close").isEmpty();
            PoolAssertions.assertBalanced(transport);
            assertThat(transport.bodies().open()).isZero();
        }
        finally {
            readers.shutdownNow();
        }
    }

    private static void check(int round, KeepAliveTransport transport, List<String> violations) {
        PoolSnapshot pool = transport.pool();
        String prefix = "round " + round + ": ";
        if (pool.active() != 0) {
            violations.add(prefix + "active is " + pool.active() + " with every exchange finished: " + pool);
        }
        if (pool.opened() != pool.closed() + pool.active() + pool.idle()) {
            violations.add(prefix + "opened != closed + active + idle: " + pool);
        }
        for (RouteSnapshot route : pool.routes()) {
            long idleListed = route.connections().stream().filter((c) -> c.state().equals("idle")).count();
            if (idleListed != route.idle() || route.connections().size() != route.active() + route.idle()) {
                violations.add(prefix + "idle counted without a live idle connection: " + route);
            }
            if (route.connections().size() > MAX_CONNS) {
                violations.add(prefix + "over the cap: " + route);
            }
        }
        BodiesSnapshot bodies = transport.bodies();
        if (bodies.opened() != bodies.open() + bodies.eof() + bodies.earlyCloseDrained() + bodies.earlyCloseDiscarded()
                + bodies.eofNotClosed() + bodies.leaked()) {
            violations.add(prefix + "bodies do not balance: " + bodies);
        }
    }

    private static void twoCallersGetTwoConnections(KeepAliveRequestFactory factory, LoopbackHttpServer server,
            int round, List<String> violations) throws IOException {
        try (ClientHttpResponse first = factory.createRequest(server.uri("/bytes/16"), HttpMethod.GET).execute();
                ClientHttpResponse second = factory.createRequest(server.uri("/bytes/16"), HttpMethod.GET).execute()) {
            long a = ((TrackedResponse) first).connectionId();
            long b = ((TrackedResponse) second).connectionId();
            if (a == b) {
                violations.add("round " + round + ": connection #" + a + " handed to two callers at once");
            }
            first.getBody().readAllBytes();
            second.getBody().readAllBytes();
        }
    }

    /**
     * A read blocked on a server that stopped sending is ended by a close on another thread: the reader gets
     * an exception at once, and the slot (the only one) is free for the next request.
     */
    @Test
    void closeOnAnotherThreadEndsABlockedReadAndFreesTheSlot() throws Exception {
        CountDownLatch headSent = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            if (conn.index == 0) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nfirst bytes");
                headSent.countDown();
                conn.awaitClientClose(); // and never sends the rest
            }
            else {
                conn.write(RawPeer.ok("next"));
                conn.awaitClientClose();
            }
        }); KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(2)).build())) {
            KeepAliveRequestFactory factory = transport.requestFactory();
            ClientHttpResponse response = factory.createRequest(peer.uri("/stuck"), HttpMethod.GET).execute();
            InputStream body = response.getBody();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    body.readAllBytes();
                    return null;
                }
                catch (IOException ex) {
                    return ex;
                }
            }, OWN_THREAD);
            headSent.await(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.bodies().bodies().get(0).bytesRead() > 0);

            // On its own thread, so that a close that blocks behind the read fails the test instead of hanging it.
            CompletableFuture.runAsync(response::close, OWN_THREAD).get(5, TimeUnit.SECONDS);

            Throwable failure = reader.get(5, TimeUnit.SECONDS);
            assertThat(failure).as("the blocked read ends with an exception").isInstanceOf(IOException.class);
            assertThat(transport.pool().active()).isZero();
            try (ClientHttpResponse next = factory.createRequest(peer.uri("/next"), HttpMethod.GET).execute()) {
                assertThat(next.getBody().readAllBytes()).asString().isEqualTo("next");
            }
            PoolAssertions.assertBalanced(transport);
            assertThat(transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() <= 1);
        }
    }
}
