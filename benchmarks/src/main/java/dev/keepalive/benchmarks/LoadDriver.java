package dev.keepalive.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.http.HttpRequest;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClient.RequestHeadersSpec.ConvertibleClientHttpResponse;

/**
 * Puts one scenario's load on the server through a {@link RestClient}: {@code concurrency} platform
 * threads (or virtual threads, when the scenario says so), each sending GET requests one after another and
 * reading every body to its end as a {@code byte[]} through RestClient's converter (as an application reads a
 * body), first for the warm-up and then for the measured window. Only requests that start and finish inside the window are
 * counted. Bounded in time (warm-up + window) and in count ({@link Timing#maxRequests()}).
 */
public final class LoadDriver {

    private static final int WARM_UP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    private static final long JOIN_MILLIS = 30_000;

    private final ProcessCpu cpu;
    private final HeapAllocations heap;
    private final ServerConnections server;

    private volatile int phase;

    /**
     * @param cpu this JVM's CPU clock
     * @param heap this JVM's allocation counters
     * @param server the server's accepted-connections counter
     */
    public LoadDriver(ProcessCpu cpu, HeapAllocations heap, ServerConnections server) {
        this.cpu = cpu;
        this.heap = heap;
        this.server = server;
    }

    /**
     * Warms up, measures one window and returns its figures.
     *
     * @param contender the label of the client behind {@code client}
     * @param client the client to drive
     * @param uri the absolute URI to fetch
     * @param scenario the body length and concurrency
     * @param timing the durations and the request cap
     * @param round the round number
     */
    public Measurement run(String contender, RestClient client, URI uri, Scenario scenario, Timing timing, int round)
            throws IOException, InterruptedException {
        int concurrency = scenario.concurrency();
        long perCaller = Math.max(1, timing.maxRequests() / concurrency);
        CountDownLatch finished = new CountDownLatch(concurrency);
        CountDownLatch released = new CountDownLatch(1);
        List<Caller> callers = new ArrayList<>(concurrency);
        List<Thread> threads = new ArrayList<>(concurrency);
        this.phase = WARM_UP;
        for (int i = 0; i < concurrency; i++) {
            Caller caller = new Caller(client, uri, scenario.bodyBytes(), perCaller, finished, released);
            Thread thread = CallerThreads.create(caller, "bench-caller-" + i, scenario.virtualThreads());
            callers.add(caller);
            threads.add(thread);
        }
        long elapsed;
        long cpuUsed;
        long allocated;
        long accepted;
        threads.forEach(Thread::start);
        try {
            finished.await(timing.warmUp().toNanos(), TimeUnit.NANOSECONDS);
            long acceptedBefore = this.server.accepted();
            HeapAllocations.Snapshot heapBefore = this.heap.snapshot();
            long cpuBefore = this.cpu.nanos();
            long start = System.nanoTime();
            this.phase = MEASURE;
            finished.await(timing.window().toNanos(), TimeUnit.NANOSECONDS);
            this.phase = STOP;
            elapsed = System.nanoTime() - start;
            cpuUsed = this.cpu.nanos() - cpuBefore;
            // The callers stay alive until released: a thread's allocation count is gone once it ends.
            allocated = this.heap.snapshot().allocatedSince(heapBefore);
            released.countDown();
            accepted = this.server.acceptedSince(acceptedBefore);
        }
        finally {
            this.phase = STOP;
            released.countDown();
        }

        long errors = joinAll(threads);
        long requests = 0;
        List<LatencySamples> samples = new ArrayList<>(concurrency);
        String firstError = null;
        for (Caller c : callers) {
            requests += c.measured;
            errors += c.errors;
            samples.add(c.samples);
            if (firstError == null) {
                firstError = c.firstError;
            }
        }
        if (firstError != null) {
            System.err.printf("  %s %s: %d errors, first: %s%n", contender, scenario.name(), errors, firstError);
        }
        double[] p = LatencySamples.percentileMicros(samples, 50, 99);
        double perRequest = requests == 0 ? Double.NaN : 1.0 / requests;
        return new Measurement(contender, scenario.name(), round, requests, errors, requests / (elapsed / 1e9),
                cpuUsed / 1000.0 * perRequest, p[0], p[1], accepted * 10_000.0 * perRequest, allocated * perRequest);
    }

    private static long joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.currentTimeMillis() + JOIN_MILLIS;
        long stuck = 0;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive()) {
                t.interrupt();
                stuck++;
            }
        }
        return stuck;
    }

    /** One caller thread: requests in a loop until the phase says stop or its cap is reached. */
    private final class Caller implements Runnable {

        private final RestClient client;
        private final URI uri;
        private final int expectedBytes;
        private final long cap;
        private final CountDownLatch finished;
        private final CountDownLatch released;
        private final LatencySamples samples;
        private final RestClient.RequestHeadersSpec.ExchangeFunction<Boolean> drain = this::drain;

        long measured;
        long errors;
        String firstError;

        Caller(RestClient client, URI uri, int expectedBytes, long cap, CountDownLatch finished,
                CountDownLatch released) {
            this.client = client;
            this.uri = uri;
            this.expectedBytes = expectedBytes;
            this.cap = cap;
            this.finished = finished;
            this.released = released;
            this.samples = new LatencySamples((int) Math.min(cap, Integer.MAX_VALUE - 8));
        }

        @Override
        public void run() {
            try {
                long warmUps = 0;
                while (this.measured < this.cap && warmUps < this.cap) {
                    int before = LoadDriver.this.phase;
                    if (before == STOP) {
                        return;
                    }
                    long start = System.nanoTime();
                    boolean ok = fetch();
                    long latency = System.nanoTime() - start;
                    if (before == WARM_UP) {
                        warmUps++;
                    }
                    else if (LoadDriver.this.phase == MEASURE) {
                        if (ok) {
                            this.measured++;
                            this.samples.record(latency);
                        }
                        else {
                            this.errors++;
                        }
                    }
                }
            }
            finally {
                this.finished.countDown();
                awaitRelease();
            }
        }

        private void awaitRelease() {
            try {
                this.released.await(JOIN_MILLIS, TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean fetch() {
            try {
                return this.client.get().uri(this.uri).exchange(this.drain);
            }
            catch (RuntimeException ex) {
                if (this.firstError == null) {
                    this.firstError = ex.toString();
                }
                return false;
            }
        }

        private Boolean drain(HttpRequest request, ConvertibleClientHttpResponse response) throws IOException {
            if (response.getStatusCode().value() != 200) {
                if (this.firstError == null) {
                    this.firstError = "status " + response.getStatusCode();
                }
                return Boolean.FALSE;
            }
            // As an application reads a body: a byte[] through RestClient's converter, which asks the stream for
            // readNBytes(Content-Length) after a look at its first byte.
            byte[] body = response.bodyTo(byte[].class);
            long total = body != null ? body.length : 0;
            if (total != this.expectedBytes) {
                if (this.firstError == null) {
                    this.firstError = "body of " + total + " bytes, expected " + this.expectedBytes;
                }
                return Boolean.FALSE;
            }
            return Boolean.TRUE;
        }
    }
}
