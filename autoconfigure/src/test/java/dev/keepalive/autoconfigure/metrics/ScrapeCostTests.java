package dev.keepalive.autoconfigure.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.keepalive.autoconfigure.actuate.KeepAliveHealthIndicator;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.StackCapture;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Design §5: health and metrics read O(1) totals, never a snapshot of every open body, and a scrape finds
 * each route's entry by key. Shown at 10 000 open bodies (each with its opening stack) and 1 000 routes by
 * counting the work, not by timing it.
 */
class ScrapeCostTests {

    private static final int ROUTES = 1_000;

    private static final int BODIES = 10_000;

    private OneByteServer server;

    private KeepAliveTransport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = new OneByteServer();
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder()
            .captureStack(StackCapture.ALWAYS)
            .leakThreshold(Duration.ofMinutes(10))
            .build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void aScrapeAndAHealthCheckDoNotGrowWithOpenBodiesOrSearchTheRoutes() throws IOException {
        AtomicLong nanos = new AtomicLong();
        AtomicInteger snapshots = new AtomicInteger();
        AtomicLong routeReads = new AtomicLong();
        Supplier<PoolSnapshot> countingPools = () -> {
            snapshots.incrementAndGet();
            PoolSnapshot pool = this.transport.pool();
            return new PoolSnapshot(pool.active(), pool.idle(), pool.waiting(), pool.opened(), pool.closed(),
                    pool.reused(), pool.closedBy(), pool.lastAcquireTimeoutMillis(),
                    new CountingList<>(pool.routes(), routeReads));
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new KeepAliveMetrics(this.transport, countingPools, nanos::get).bindTo(registry);
        KeepAliveHealthIndicator health = new KeepAliveHealthIndicator(this.transport);

        openRoutes();
        List<ClientHttpResponse> held = openBodies();
        assertThat(this.transport.totals().openBodies()).isEqualTo(BODIES);
        assertThat(this.transport.pool().routes()).hasSize(ROUTES);
        assertThat(registry.find("keepalive.connections.opened").meters()).hasSize(ROUTES);

        Runnable scrapeAndCheck = () -> {
            nanos.addAndGet(Duration.ofSeconds(15).toNanos()); // the next scrape interval: caches are stale
            for (Meter meter : registry.getMeters()) {
                for (Measurement measurement : meter.measure()) {
                    measurement.getValue();
                }
            }
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        };
        scrapeAndCheck.run();
        snapshots.set(0);
        routeReads.set(0);
        scrapeAndCheck.run();
        // One pool snapshot per scrape, each route read once to index it, then one lookup per gauge.
        assertThat(snapshots).hasValue(1);
        assertThat(routeReads.get()).isLessThanOrEqualTo(2L * ROUTES);
        assertThat(registry.get("keepalive.bodies.open").gauge().value()).isEqualTo(BODIES);

        long withBodiesOpen = allocatedBy(scrapeAndCheck);
        for (ClientHttpResponse response : held) {
            response.close();
        }
        assertThat(this.transport.totals().openBodies()).isZero();
        long withNoBodyOpen = allocatedBy(scrapeAndCheck);
        // A snapshot of the bodies alone allocates well over 150 bytes for each of them (a record, its redacted
        // URI, the list); what differs between the two measurements otherwise is the JIT's warm-up (boxing
        // that a later compilation removes, 16 bytes per gauge read).
        assertThat(withBodiesOpen - withNoBodyOpen).isLessThan(BODIES * 32L);
    }

    /** One working route (the server) and 999 more that refuse: 127.0.0.2 and up are loopback too. */
    private void openRoutes() throws IOException {
        int port = this.server.getPort();
        for (int i = 1; i < ROUTES; i++) {
            URI uri = URI.create("http://127.0." + (i / 250) + "." + (2 + i % 250) + ":" + port + "/");
            assertThatIOException()
                .isThrownBy(() -> this.transport.requestFactory().createRequest(uri, HttpMethod.GET).execute());
        }
    }

    /** Bodies read to EOF and kept unclosed: listed as open, while their connection serves the next. */
    private List<ClientHttpResponse> openBodies() throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + this.server.getPort() + "/data");
        List<ClientHttpResponse> held = new ArrayList<>(BODIES);
        for (int i = 0; i < BODIES; i++) {
            ClientHttpResponse response = this.transport.requestFactory().createRequest(uri, HttpMethod.GET).execute();
            response.getBody().readAllBytes();
            held.add(response);
        }
        return held;
    }

    /** The fewest bytes the current thread allocates in one of five runs, after ten runs to warm it up. */
    private static long allocatedBy(Runnable run) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
        for (int i = 0; i < 10; i++) {
            run.run();
        }
        long id = Thread.currentThread().getId();
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long before = threads.getThreadAllocatedBytes(id);
            run.run();
            fewest = Math.min(fewest, threads.getThreadAllocatedBytes(id) - before);
        }
        return fewest;
    }

    /**
     * An HTTP/1.1 server on 127.0.0.1 that answers every request with a one-byte body, keep-alive, in one
     * write: ten thousand requests in a few seconds.
     */
    private static final class OneByteServer implements AutoCloseable {

        private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
            .getBytes(StandardCharsets.US_ASCII);

        private final ServerSocket listener;

        private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        OneByteServer() throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread acceptor = new Thread(this::accept, "one-byte-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int getPort() {
            return this.listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = this.listener.accept();
                    this.accepted.add(socket);
                    Thread serving = new Thread(() -> serve(socket), "one-byte-server-connection");
                    serving.setDaemon(true);
                    serving.start();
                }
            }
            catch (IOException ex) {
                // closed
            }
        }

        /** Answers each request head (the requests carry no body) until the client closes. */
        private static void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                int matched = 0;
                int b;
                while ((b = in.read()) != -1) {
                    matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (matched == 4) {
                        out.write(RESPONSE);
                        out.flush();
                        matched = 0;
                    }
                }
            }
            catch (IOException ex) {
                // the client went away
            }
        }

        @Override
        public void close() {
            try {
                this.listener.close();
                for (Socket socket : this.accepted) {
                    socket.close();
                }
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }

    }

    /** A list that counts the elements read from it, by index or by iteration. */
    private static final class CountingList<E> extends AbstractList<E> implements RandomAccess {

        private final List<E> list;

        private final AtomicLong reads;

        CountingList(List<E> list, AtomicLong reads) {
            this.list = list;
            this.reads = reads;
        }

        @Override
        public E get(int index) {
            this.reads.incrementAndGet();
            return this.list.get(index);
        }

        @Override
        public int size() {
            return this.list.size();
        }

    }

}
