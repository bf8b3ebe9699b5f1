package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

            CompletableFuture<Void> closing = CompletableFuture.runAsync(transport::close);

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
            });
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
            });
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
}
