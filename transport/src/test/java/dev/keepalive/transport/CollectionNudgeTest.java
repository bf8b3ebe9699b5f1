package dev.keepalive.transport;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import dev.keepalive.transport.internal.body.Housekeeper;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The housekeeper asks for a garbage collection only where dropped responses are likely: a slow stream that
 * the application is reading, with a caller waiting at the cap behind it, is not a leak and costs no
 * collection. (That a dropped body at the cap still is found is LeakDetectionTest's
 * callersStarvedByALeakGetTheConnectionWithoutWaitingForAnUnrelatedCollection.)
 */
class CollectionNudgeTest {

    /** A thread per task: the blocking tasks here must never queue behind each other on a small common pool. */
    private static final java.util.concurrent.Executor OWN_THREAD = (task) -> {
        Thread thread = new Thread(task, "test-task");
        thread.setDaemon(true);
        thread.start();
    };

    @Test
    void aSlowStreamBeingReadAtTheCapWithAWaiterTriggersNoCollection() throws Exception {
        CountDownLatch hurry = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                if (request.startsWith("GET /stream")) {
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
                    for (int i = 0; i < 8; i++) {
                        conn.write("x");
                        hurry.await(1500, TimeUnit.MILLISECONDS); // the stream's pace: a byte every 1.5 s
                    }
                }
                else {
                    conn.write(RawPeer.ok("quick"));
                }
            }
        }); LogCapture log = new LogCapture(Housekeeper.class);
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(20)).build())) {
            KeepAliveRequestFactory factory = transport.requestFactory();
            ClientHttpResponse stream = factory.createRequest(peer.uri("/stream"), HttpMethod.GET).execute();
            InputStream body = stream.getBody();
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try (stream) {
                    return body.readAllBytes().length;
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }, OWN_THREAD);
            CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
                try (ClientHttpResponse quick = factory.createRequest(peer.uri("/quick"), HttpMethod.GET).execute()) {
                    return new String(quick.getBody().readAllBytes());
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }, OWN_THREAD);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pool().waiting() == 1);

            // The waiter starves (over 1 s at the cap) and the body has gaps of 1.5 s without a byte, but it is
            // being read all along: no collection for as long as we watch.
            await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(6))
                    .until(() -> log.messages(Level.INFO).stream().noneMatch((m) -> m.contains("garbage collection")));
            assertThat(transport.engine().housekeeper().collectionRequests()).isZero();

            hurry.countDown();
            assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(8);
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("quick");
            PoolAssertions.assertBalanced(transport);
        }
    }
}
