package dev.keepalive.sample;

import java.time.Duration;

import dev.keepalive.transport.KeepAliveTransport;

import static org.awaitility.Awaitility.await;

/**
 * Brings a shared transport back to a clean state between tests: earlier tests dropped responses on
 * purpose, and their bodies stay open (and their connections active) until a GC lets the leak detector
 * reclaim them.
 */
final class OpenBodies {

    private OpenBodies() {
    }

    static void reclaimAll(KeepAliveTransport transport) {
        await("every dropped body reclaimed after GC").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> {
                System.gc();
                return transport.bodies().open() == 0 && transport.pool().active() == 0;
            });
    }

}
