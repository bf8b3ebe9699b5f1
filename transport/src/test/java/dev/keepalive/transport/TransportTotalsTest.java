package dev.keepalive.transport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link KeepAliveTransport#totals()}: the running totals agree with the snapshots in every state, and
 * reading them costs the same at one open body as at ten thousand (design §5: health and metrics read
 * O(1) totals, never a snapshot of every open body).
 */
class TransportTotalsTest {

    private final LoopbackHttpServer server;
    private KeepAliveTransport transport;

    TransportTotalsTest() throws IOException {
        this.server = new LoopbackHttpServer();
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    private ClientHttpResponse get(String path) throws IOException {
        return this.transport.requestFactory().createRequest(this.server.uri(path), HttpMethod.GET).execute();
    }

    @Test
    void poolTotalsMatchTheSnapshotWhileActiveWaitingTimedOutAndIdle() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofMillis(600)).build());
        assertPoolTotalsMatchSnapshot();
        ClientHttpResponse held = get("/bytes/64");
        assertThat(this.transport.totals().active()).isEqualTo(1);
        assertPoolTotalsMatchSnapshot();

        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> assertThatExceptionOfType(
                PoolExhaustedException.class).isThrownBy(() -> get("/bytes/64")));
        await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().waiting() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().longestWaitMillis() >= 100);
        TransportTotals waiting = this.transport.totals();
        assertThat(waiting.longestWaitMillis()).isLessThanOrEqualTo(600 + 1000);
        assertThat(waiting.lastAcquireTimeoutMillis()).isZero();

        waiter.get();
        TransportTotals timedOut = this.transport.totals();
        assertThat(timedOut.waiting()).isZero();
        assertThat(timedOut.longestWaitMillis()).isZero();
        assertThat(timedOut.lastAcquireTimeoutMillis()).isPositive()
                .isEqualTo(this.transport.pool().lastAcquireTimeoutMillis());
        assertPoolTotalsMatchSnapshot();

        held.getBody().readAllBytes();
        held.close();
        assertThat(this.transport.totals().idle()).isEqualTo(1);
        assertPoolTotalsMatchSnapshot();
        this.transport.close();
        assertThat(this.transport.totals().closed()).isEqualTo(1);
        assertPoolTotalsMatchSnapshot();
    }

    @Test
    void aCallerFailedByShutdownIsNoPoolTimeout() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(30)).build());
        List<AcquireOutcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.transport.addListener(new TransportListener() {
            @Override
            public void connectionAcquired(String route, AcquireOutcome outcome, long nanos) {
                outcomes.add(outcome);
            }
        });
        ClientHttpResponse held = get("/bytes/64");
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> assertThatExceptionOfType(IOException.class)
                .isThrownBy(() -> get("/bytes/64")).withMessageContaining("closed"));
        await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().waiting() == 1);
        this.transport.close();
        waiter.get(10, java.util.concurrent.TimeUnit.SECONDS);
        held.close();
        // Rule 22: shutdown never counts as a pool timeout: no DOWN health, no timeout metric, no alert.
        assertThat(this.transport.totals().lastAcquireTimeoutMillis()).isZero();
        assertThat(outcomes).containsExactly(AcquireOutcome.NEW);
    }

    @Test
    void aGrantedWaiterStopsCountingAsWaiting() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(10)).build());
        ClientHttpResponse held = get("/bytes/64");
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try (ClientHttpResponse response = get("/bytes/64")) {
                return response.getBody().readAllBytes().length;
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().waiting() == 1);
        held.close();
        assertThat(waiter.get()).isEqualTo(64);
        TransportTotals totals = this.transport.totals();
        assertThat(totals.waiting()).isZero();
        assertThat(totals.longestWaitMillis()).isZero();
        assertThat(totals.lastAcquireTimeoutMillis()).isZero();
        assertPoolTotalsMatchSnapshot();
    }

    @Test
    void suspectsAreCountedWhileOpenAndNoLongerOnceClosed() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .leakThreshold(Duration.ofMillis(100)).build());
        ClientHttpResponse first = get("/bytes/64");
        ClientHttpResponse second = get("/bytes/64");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.transport.totals().leakSuspects() == 2);
        assertBodyTotalsMatchSnapshot();
        first.close();
        assertThat(this.transport.totals().leakSuspects()).isEqualTo(1);
        assertThat(this.transport.totals().openBodies()).isEqualTo(1);
        second.getBody().readAllBytes();
        second.close();
        TransportTotals totals = this.transport.totals();
        assertThat(totals.leakSuspects()).isZero();
        assertThat(totals.openBodies()).isZero();
        assertThat(totals.eof()).isEqualTo(1);
        assertBodyTotalsMatchSnapshot();
    }

    @Test
    void aReclaimedLeakIsCountedWithItsTime() throws Exception {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        long before = System.currentTimeMillis();
        dropUnclosed();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            return this.transport.totals().leaked() == 1;
        });
        TransportTotals totals = this.transport.totals();
        assertThat(totals.lastLeakMillis()).isBetween(before, System.currentTimeMillis());
        assertThat(totals.openBodies()).isZero();
        assertBodyTotalsMatchSnapshot();
        assertPoolTotalsMatchSnapshot();
    }

    private void dropUnclosed() throws IOException {
        assertThat(get("/bytes/64").getStatusCode().value()).isEqualTo(200);
    }

    @Test
    void readingTotalsCostsTheSameAtTenThousandOpenBodies() throws Exception {
        // Every body records its stack: a snapshot of them all would copy ten thousand stacks.
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .captureStack(StackCapture.ALWAYS).leakThreshold(Duration.ofMinutes(10)).build());
        List<ClientHttpResponse> held = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ClientHttpResponse response = get("/bytes/1");
            response.getBody().readAllBytes(); // at EOF: the connection goes back, the body stays listed
            held.add(response);
        }
        TransportTotals totals = this.transport.totals();
        assertThat(totals.openBodies()).isEqualTo(10_000);
        assertThat(totals.bodiesOpened()).isEqualTo(10_000);
        assertThat(totals.opened()).isEqualTo(1);

        long totalsBytes = allocatedBy(() -> this.transport.totals(), 20);
        long snapshotBytes = allocatedBy(() -> this.transport.bodies(), 0);
        // The bound is what a handful of small records take; the snapshot shows that it can be exceeded.
        assertThat(totalsBytes).isLessThan(4096);
        assertThat(snapshotBytes).isGreaterThan(100 * 4096L);
        assertThat(held).hasSize(10_000);
        for (ClientHttpResponse response : held) {
            response.close();
        }
        assertThat(this.transport.totals().openBodies()).isZero();
    }

    /** Bytes the current thread allocates in one call, after {@code warmUps} calls. */
    private static long allocatedBy(Runnable call, int warmUps) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmUps; i++) {
            call.run();
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        call.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    private void assertPoolTotalsMatchSnapshot() {
        PoolSnapshot pool = this.transport.pool();
        TransportTotals totals = this.transport.totals();
        assertThat(new long[] { totals.active(), totals.idle(), totals.waiting(), totals.opened(), totals.closed(),
                totals.lastAcquireTimeoutMillis() })
                .containsExactly(pool.active(), pool.idle(), pool.waiting(), pool.opened(), pool.closed(),
                        pool.lastAcquireTimeoutMillis());
        assertThat(totals.opened()).isEqualTo(totals.closed() + totals.active() + totals.idle());
    }

    private void assertBodyTotalsMatchSnapshot() {
        BodiesSnapshot bodies = this.transport.bodies();
        TransportTotals totals = this.transport.totals();
        assertThat(new long[] { totals.openBodies(), totals.leakSuspects(), totals.bodiesOpened(), totals.eof(),
                totals.earlyCloseDrained(), totals.earlyCloseDiscarded(), totals.eofNotClosed(), totals.leaked(),
                totals.lastLeakMillis() })
                .containsExactly(bodies.open(), bodies.leakSuspects(), bodies.opened(), bodies.eof(),
                        bodies.earlyCloseDrained(), bodies.earlyCloseDiscarded(), bodies.eofNotClosed(),
                        bodies.leaked(), bodies.lastLeakMillis());
    }
}
