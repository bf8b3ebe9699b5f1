package dev.keepalive.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

import dev.keepalive.benchmarks.jmh.FixedResponseServer;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.StackCapture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heap that leak tracking costs per request, over tracking off (issue 15): a {@code RestClient} GET of a
 * 100-byte body from a loopback server, read as {@code byte[]}. Allocated bytes per thread (ThreadMXBean) do not
 * depend on the machine's load, unlike time. The four modes take turns on one caller thread of its own (a
 * shallow stack, as an application's worker has, not the test runner's), warmed up together so that they run
 * the same compiled code; each is measured in five turns and its least is kept, so that a compilation landing
 * inside one turn does not count.
 */
class TrackingAllocationBudgetTest {

    private static final String[] MODES = { "off", "never", "sampled", "always" };
    private static final int WARM_UP_TURNS = 12;
    private static final int TURNS = 5;
    private static final int PER_TURN = 2_000;

    @Test
    void trackingCostsLittleHeapPerRequest() throws Exception {
        Map<String, Long> bytesPerRequest = new LinkedHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (FixedResponseServer server = new FixedResponseServer(100)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/small");
            Thread caller = new Thread(() -> {
                try {
                    bytesPerRequest.putAll(measure(uri));
                }
                catch (Throwable ex) {
                    failure.set(ex);
                }
            }, "allocation-budget-caller");
            caller.start();
            caller.join(180_000);
            assertThat(caller.isAlive()).as("the caller finished within 3 minutes").isFalse();
        }
        assertThat(failure.get()).isNull();
        long off = bytesPerRequest.get("off");
        String figures = bytesPerRequest.toString();
        System.out.println("Heap allocated per request by capture-stack mode, bytes: " + figures);
        // Budgets of issue 15: sampled (the default) at most 64 B over off; never the same.
        assertThat(bytesPerRequest.get("never") - off).as("never over off, B/request: %s", figures)
                .isLessThanOrEqualTo(64);
        assertThat(bytesPerRequest.get("sampled") - off).as("sampled over off, B/request: %s", figures)
                .isLessThanOrEqualTo(64);
        // always records a Throwable per body: about 720 B for a stack of up to 32 frames. A guard, not the goal.
        assertThat(bytesPerRequest.get("always") - off).as("always over off, B/request: %s", figures)
                .isLessThanOrEqualTo(1024);
    }

    private static Map<String, Long> measure(URI uri) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        KeepAliveTransport[] transports = new KeepAliveTransport[MODES.length];
        RestClient[] clients = new RestClient[MODES.length];
        long[] least = new long[MODES.length];
        try {
            for (int m = 0; m < MODES.length; m++) {
                transports[m] = KeepAliveTransport.create(settings(MODES[m]).build());
                clients[m] = RestClient.builder().requestFactory(transports[m].requestFactory()).build();
                least[m] = Long.MAX_VALUE;
            }
            for (int turn = 0; turn < WARM_UP_TURNS + TURNS; turn++) {
                for (int m = 0; m < MODES.length; m++) {
                    long before = threads.getThreadAllocatedBytes(thread);
                    int read = 0;
                    for (int i = 0; i < PER_TURN; i++) {
                        read += clients[m].get().uri(uri).retrieve().body(byte[].class).length;
                    }
                    long perRequest = (threads.getThreadAllocatedBytes(thread) - before) / PER_TURN;
                    assertThat(read).isEqualTo(100 * PER_TURN);
                    if (turn >= WARM_UP_TURNS) {
                        least[m] = Math.min(least[m], perRequest);
                    }
                }
            }
            Map<String, Long> result = new LinkedHashMap<>();
            for (int m = 0; m < MODES.length; m++) {
                assertThat(transports[m].bodies().open()).as("bodies left open by %s", MODES[m]).isZero();
                result.put(MODES[m], least[m]);
            }
            return result;
        }
        finally {
            for (KeepAliveTransport transport : transports) {
                if (transport != null) {
                    transport.close();
                }
            }
        }
    }

    private static KeepAliveSettings.Builder settings(String mode) {
        KeepAliveSettings.Builder settings = KeepAliveSettings.builder();
        if (mode.equals("off")) {
            return settings.trackBodies(false);
        }
        return settings.captureStack(StackCapture.valueOf(mode.toUpperCase(Locale.ROOT)));
    }
}
