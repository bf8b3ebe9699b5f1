package dev.keepalive.autoconfigure.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;

/**
 * Holds the last pool and bodies snapshots for a short time, so that one scrape that reads dozens of gauges
 * takes one snapshot of each instead of one per gauge.
 */
final class SnapshotCache {

    static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final KeepAliveTransport transport;

    private final LongSupplier nanoClock;

    private volatile Timed<PoolSnapshot> pool;

    private volatile Timed<BodiesSnapshot> bodies;

    SnapshotCache(KeepAliveTransport transport, LongSupplier nanoClock) {
        this.transport = transport;
        this.nanoClock = nanoClock;
    }

    PoolSnapshot pool() {
        Timed<PoolSnapshot> current = this.pool;
        long now = this.nanoClock.getAsLong();
        if (current == null || now - current.nanos() > MAX_AGE_NANOS) {
            current = new Timed<>(this.transport.pool(), now);
            this.pool = current;
        }
        return current.value();
    }

    BodiesSnapshot bodies() {
        Timed<BodiesSnapshot> current = this.bodies;
        long now = this.nanoClock.getAsLong();
        if (current == null || now - current.nanos() > MAX_AGE_NANOS) {
            current = new Timed<>(this.transport.bodies(), now);
            this.bodies = current;
        }
        return current.value();
    }

    private record Timed<T>(T value, long nanos) {
    }

}
