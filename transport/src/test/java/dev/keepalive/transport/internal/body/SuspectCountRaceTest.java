package dev.keepalive.transport.internal.body;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.keepalive.transport.BodyOutcome;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.StackCapture;
import dev.keepalive.transport.internal.pool.Route;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The count of leak suspects is a running total, not a walk over the bodies: the housekeeper flagging a body
 * and the application ending it race, and whichever comes first, the body is counted up and down once. The
 * count never goes below zero and ends at zero when every body has ended.
 */
class SuspectCountRaceTest {

    private static final Route ROUTE = Route.of(URI.create("http://127.0.0.1:8080/"), null);

    @Test
    void flaggingAndEndingInAnyOrderLeaveTheCountAtZero() throws Exception {
        KeepAliveSettings settings = KeepAliveSettings.builder().leakThreshold(Duration.ofNanos(1))
                .captureStack(StackCapture.NEVER).build();
        BodyTracker tracker = new BodyTracker(settings);
        ch.qos.logback.classic.Logger leakLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(BodyTracker.class);
        leakLog.setLevel(ch.qos.logback.classic.Level.OFF); // a WARN per suspect would be most of the work
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong lowest = new AtomicLong();
        AtomicLong flaggedSeen = new AtomicLong();
        List<Object> responses = new CopyOnWriteArrayList<>(); // held, so that no body is taken for a leak
        try {
            CompletableFuture<Void> scanner = CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    tracker.scanSuspects();
                    long suspects = tracker.totals().suspects();
                    lowest.accumulateAndGet(suspects, Math::min);
                    if (suspects > 0) {
                        flaggedSeen.incrementAndGet();
                    }
                }
            }, threads);
            List<CompletableFuture<Void>> enders = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Object owner = new Object();
                responses.add(owner);
                enders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        OpenBody body = tracker.open(owner, "GET", URI.create("http://127.0.0.1:8080/r"), ROUTE, 10,
                                null, false);
                        if (i % 2 == 0) {
                            Thread.yield(); // give the scanner a chance to flag it first
                        }
                        assertThat(body.advance(OpenBody.OPEN, OpenBody.DONE)).isTrue();
                        tracker.finished(body, BodyOutcome.EARLY_DISCARDED);
                        lowest.accumulateAndGet(tracker.totals().suspects(), Math::min);
                    }
                }, threads));
            }
            CompletableFuture.allOf(enders.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            done.set(true);
            scanner.get(10, TimeUnit.SECONDS);
        }
        finally {
            done.set(true);
            threads.shutdownNow();
            leakLog.setLevel(null);
        }
        BodyTracker.BodyTotals totals = tracker.totals();
        assertThat(totals.open()).isZero();
        assertThat(totals.suspects()).as("suspects once every body ended").isZero();
        assertThat(lowest.get()).as("the lowest suspect count seen").isZero();
        assertThat(flaggedSeen.get()).as("scans that saw a flagged body: the race was run").isPositive();
        assertThat(totals.finished(BodyOutcome.EARLY_DISCARDED)).isEqualTo(60_000);
        assertThat(responses).hasSize(3);
    }
}
