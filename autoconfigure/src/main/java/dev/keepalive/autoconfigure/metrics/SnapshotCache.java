package dev.keepalive.autoconfigure.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;
import dev.keepalive.transport.TransportTotals;

/**
 * What one scrape reads, held for a short time: the transport's O(1) totals for the global meters, and
 * one pool snapshot indexed by route for the per-route meters. A scrape reads dozens of gauges per route;
 * each finds its route in the index instead of searching the snapshot, so a scrape costs one snapshot and
 * one lookup per gauge, however many routes there are. Open bodies are never listed.
 */
final class SnapshotCache {

    static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Supplier<PoolSnapshot> pools;

    private final Supplier<TransportTotals> totals;

    private final LongSupplier nanoClock;

    private volatile Timed<Map<String, RouteSnapshot>> routes;

    private volatile Timed<TransportTotals> lastTotals;

    SnapshotCache(Supplier<PoolSnapshot> pools, Supplier<TransportTotals> totals, LongSupplier nanoClock) {
        this.pools = pools;
        this.totals = totals;
        this.nanoClock = nanoClock;
    }

    /** The route's entry in the current snapshot, or null when the route is gone from the pool. */
    RouteSnapshot route(String route) {
        Timed<Map<String, RouteSnapshot>> current = this.routes;
        long now = this.nanoClock.getAsLong();
        if (current == null || now - current.nanos() > MAX_AGE_NANOS) {
            PoolSnapshot pool = this.pools.get();
            Map<String, RouteSnapshot> index = new HashMap<>(pool.routes().size() * 2);
            for (RouteSnapshot entry : pool.routes()) {
                index.put(entry.route(), entry);
            }
            current = new Timed<>(index, now);
            this.routes = current;
        }
        return current.value().get(route);
    }

    TransportTotals totals() {
        Timed<TransportTotals> current = this.lastTotals;
        long now = this.nanoClock.getAsLong();
        if (current == null || now - current.nanos() > MAX_AGE_NANOS) {
            current = new Timed<>(this.totals.get(), now);
            this.lastTotals = current;
        }
        return current.value();
    }

    private record Timed<T>(T value, long nanos) {
    }

}
