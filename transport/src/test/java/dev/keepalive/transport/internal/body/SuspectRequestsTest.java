package dev.keepalive.transport.internal.body;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.internal.pool.Route;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The memory of requests that leaked before (their next bodies record the stack) stays bounded, treats ids in
 * paths as one request, and costs the requests it does not know no allocation.
 */
class SuspectRequestsTest {

    private static final Route ROUTE = Route.of(URI.create("http://127.0.0.1:8080/"), null);

    /** Ten thousand distinct paths leak once each: the tracker remembers a bounded number of them. */
    @Test
    void staysBoundedWhenTenThousandDistinctPathsLeak() {
        // Only a request that leaked before records its stack (no sampling), so the last check sees the memory.
        KeepAliveSettings settings = KeepAliveSettings.builder().reclaimLeaks(false).sampleRate(Integer.MAX_VALUE)
                .build();
        BodyTracker tracker = new BodyTracker(settings);
        ch.qos.logback.classic.Logger leakLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(BodyTracker.class);
        leakLog.setLevel(ch.qos.logback.classic.Level.OFF);
        try {
            for (int i = 0; i < 10_000; i++) {
                // Dropped at once: an unreachable response with its body open is a leak.
                tracker.open(new Object(), "GET", reportUri(i), ROUTE, 100, null, false);
            }
            awaitLeaks(tracker, 10_000);
            assertThat(tracker.suspectRequestCount()).isLessThanOrEqualTo(SuspectRequests.MAX);

            // The memory still works: a request that leaks now is known to its next body.
            tracker.open(new Object(), "GET", reportUri(20_000), ROUTE, 100, null, false);
            awaitLeaks(tracker, 10_001);
        }
        finally {
            leakLog.setLevel(null);
        }
        assertThat(tracker.open(this, "GET", reportUri(20_000), ROUTE, 100, null, false).stack()).isNotNull();
        assertThat(tracker.open(this, "GET", reportUri(20_001), ROUTE, 100, null, false).stack()).isNull();
        assertThat(tracker.suspectRequestCount()).isLessThanOrEqualTo(SuspectRequests.MAX);
    }

    private static URI reportUri(int i) {
        return URI.create("http://127.0.0.1:8080/reports/" + letters(i));
    }

    private static void awaitLeaks(BodyTracker tracker, long leaked) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            tracker.collectUnreachable(10, null); // reclaim is off: no pool needed
            return tracker.snapshot().leaked() == leaked;
        });
    }

    @Test
    void pathSegmentsWithDigitsAreOneRequest() {
        SuspectRequests requests = new SuspectRequests();
        requests.add("GET", ROUTE, "/users/42/orders");
        assertThat(requests.contains("GET", ROUTE, "/users/43/orders")).isTrue();
        assertThat(requests.contains("GET", ROUTE, "/users/3f2a9c1e-77aa-4bd1-9e3b-1d2c3b4a5f60/orders")).isTrue();
        assertThat(requests.contains("GET", ROUTE, "/users/43/items")).isFalse();
        assertThat(requests.contains("POST", ROUTE, "/users/43/orders")).isFalse();
        assertThat(requests.contains("GET", Route.of(URI.create("http://127.0.0.1:9090/"), null), "/users/43/orders"))
                .isFalse();
        for (int i = 0; i < 10_000; i++) {
            requests.add("GET", ROUTE, "/users/" + i + "/orders");
        }
        assertThat(requests.size()).isEqualTo(1);
        assertThat(SuspectRequests.template("/users/42/orders/")).isEqualTo("/users/{}/orders/");
        assertThat(SuspectRequests.templateHash("/users/42/orders"))
                .isEqualTo(SuspectRequests.templateHash(SuspectRequests.template("/users/42/orders")));
    }

    @Test
    void forgetsTheLeastRecentlyReportedFirst() {
        SuspectRequests requests = new SuspectRequests();
        for (int i = 0; i <= SuspectRequests.MAX; i++) {
            requests.add("GET", ROUTE, "/r/" + letters(i));
            if (i == 10) {
                requests.add("GET", ROUTE, "/r/" + letters(0)); // reported again: now among the most recent
            }
        }
        assertThat(requests.size()).isEqualTo(SuspectRequests.MAX);
        assertThat(requests.contains("GET", ROUTE, "/r/" + letters(0))).isTrue();
        assertThat(requests.contains("GET", ROUTE, "/r/" + letters(1))).isFalse();
        assertThat(requests.contains("GET", ROUTE, "/r/" + letters(SuspectRequests.MAX))).isTrue();
    }

    /** Once any request is known, every request asks; one it does not know must not allocate. */
    @Test
    void anUnknownRequestCostsNoAllocation() {
        SuspectRequests requests = new SuspectRequests();
        requests.add("GET", ROUTE, "/known/path");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        String path = "/other/path/with/some/segments";
        int hits = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            hits += requests.contains("GET", ROUTE, path) ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            hits += requests.contains("GET", ROUTE, path) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(hits).isZero();
        assertThat(allocated).as("bytes allocated by 100 000 look-ups").isLessThan(16 * 1024);
    }

    private static String letters(int n) {
        StringBuilder sb = new StringBuilder();
        int v = n;
        do {
            sb.append((char) ('a' + v % 26));
            v /= 26;
        }
        while (v > 0);
        return sb.toString();
    }
}
