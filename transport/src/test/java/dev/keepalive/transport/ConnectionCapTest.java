package dev.keepalive.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 4: {@code max-conns-per-host} caps a host's connections; callers at the cap wait in
 * arrival order up to {@code acquire-timeout}, then fail with a message that names the route, the cap and
 * the counts.
 */
class ConnectionCapTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private RawPeer peer;
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;
    private final List<Thread> callers = new ArrayList<>();
    private final List<Throwable> callerFailures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startPeer() throws IOException {
        this.peer = new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                conn.write(request.startsWith("GET /big") ? RawPeer.ok("x".repeat(1 << 20)) : RawPeer.ok("capped"));
            }
        });
    }

    private void start(int maxConns, Duration acquireTimeout) {
        this.transport = KeepAliveTransport.create(
                KeepAliveSettings.builder().maxConnsPerHost(maxConns).acquireTimeout(acquireTimeout).build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            for (Thread caller : this.callers) {
                caller.interrupt();
                caller.join(PATIENCE.toMillis());
            }
            assertThat(this.callerFailures).isEmpty();
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.pool().active()).isZero();
            assertThat(this.transport.pool().waiting()).isZero();
        }
        finally {
            this.transport.close();
            this.peer.close();
        }
    }

    @Test
    void waitersGetTheConnectionInArrivalOrder() throws Exception {
        start(1, Duration.ofSeconds(10));
        ClientHttpResponse held = execute("/held");
        List<Integer> served = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int caller = i;
            startCaller(() -> {
                ClientHttpResponse response = execute("/waiter-" + caller);
                served.add(caller);
                readAndClose(response);
            });
            await().atMost(PATIENCE).until(() -> this.transport.pool().waiting() == caller);
        }
        assertThat(served).isEmpty();

        readAndClose(held);

        await().atMost(PATIENCE).until(() -> served.size() == 3);
        assertThat(served).containsExactly(1, 2, 3);
        assertThat(this.peer.received()).extracting(RawPeer.Received::requestLine).containsExactly(
                "GET /held HTTP/1.1", "GET /waiter-1 HTTP/1.1", "GET /waiter-2 HTTP/1.1", "GET /waiter-3 HTTP/1.1");
        assertThat(this.peer.accepted()).as("one connection, handed from caller to caller").isEqualTo(1);
        assertThat(this.transport.pool().opened()).isEqualTo(1);
    }

    @Test
    void waiterGetsANewConnectionWhenTheHeldOneIsClosed() throws Exception {
        start(1, Duration.ofSeconds(10));
        ClientHttpResponse held = execute("/big");
        List<String> bodies = new CopyOnWriteArrayList<>();
        startCaller(() -> bodies.add(readAndClose(execute("/waiter"))));
        await().atMost(PATIENCE).until(() -> this.transport.pool().waiting() == 1);

        held.close(); // 1 MiB unread is over the drain budget: the connection is closed

        await().atMost(PATIENCE).until(() -> bodies.size() == 1);
        assertThat(bodies).containsExactly("capped");
        assertThat(this.peer.accepted()).isEqualTo(2);
        assertThat(this.transport.pool().closedBy().get(CloseReason.EARLY_CLOSE)).isEqualTo(1);
    }

    @Test
    void acquireTimeoutFailsWithTheRouteTheCapAndTheCounts() throws Exception {
        start(1, Duration.ofMillis(200));
        ClientHttpResponse held = execute("/held");

        assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> execute("/second"))
                .satisfies((ex) -> assertThat(ex.route()).isEqualTo(this.peer.route()))
                .withMessageContaining(this.peer.route())
                .withMessageContaining("max-conns-per-host is 1")
                .withMessageContaining("1 active, 0 idle, 0 waiting")
                .withMessageContaining("/held")
                .withMessageContaining(getClass().getSimpleName());
        assertThat(this.transport.pool().lastAcquireTimeoutMillis()).isPositive();
        assertThat(this.peer.received()).as("the second request never reached the server").hasSize(1);

        readAndClose(held);
        assertThat(readAndClose(execute("/third"))).isEqualTo("capped");
        assertThat(this.peer.accepted()).isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws Exception {
        start(1, Duration.ofSeconds(10));
        ClientHttpResponse held = execute("/held");
        List<Throwable> outcome = new CopyOnWriteArrayList<>();
        Thread waiter = new Thread(() -> {
            try {
                execute("/waiter").close();
            }
            catch (Throwable ex) {
                outcome.add(ex);
            }
        });
        waiter.start();
        await().atMost(PATIENCE).until(() -> this.transport.pool().waiting() == 1);

        waiter.interrupt();
        waiter.join(PATIENCE.toMillis());

        assertThat(outcome).singleElement().isInstanceOf(InterruptedIOException.class)
                .extracting(Throwable::getMessage).asString().contains(this.peer.route());
        assertThat(this.transport.pool().waiting()).isZero();
        readAndClose(held);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    private void startCaller(ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            }
            catch (Throwable ex) {
                this.callerFailures.add(ex);
            }
        }, "caller-" + (this.callers.size() + 1));
        this.callers.add(thread);
        thread.start();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private ClientHttpResponse execute(String path) throws IOException {
        return this.factory.createRequest(this.peer.uri(path), HttpMethod.GET).execute();
    }

    private static String readAndClose(ClientHttpResponse response) throws IOException {
        try (response) {
            return new String(response.getBody().readAllBytes());
        }
    }
}
