package dev.keepalive.autoconfigure.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import dev.keepalive.transport.AcquireOutcome;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;
import dev.keepalive.transport.TransportListener;
import dev.keepalive.transport.TransportTotals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for a {@link KeepAliveTransport}: connections per route and state, waiting callers,
 * caps, connections opened, closed (by reason) and reused, how long callers waited for a connection, and
 * response bodies open, suspected of leaking and closed (by outcome).
 * <p>
 * The global meters read the transport's {@link KeepAliveTransport#totals() totals}, in constant time
 * however many bodies are open; the per-route meters read one pool snapshot per scrape, indexed by route
 * (see {@link SnapshotCache}). The per-route meters are registered for the routes present when the binder is
 * bound, and for any later route at its first connection acquire, so routes that the application talks to
 * later get meters too. A route that the transport drops for want of use (design §3 rule 23) loses its meters,
 * so that the registry does not grow with the hosts called; they come back with the route.
 */
public class KeepAliveMetrics implements MeterBinder {

    private final KeepAliveTransport transport;

    private final SnapshotCache snapshots;

    private final List<Binding> bindings = new CopyOnWriteArrayList<>();

    private final AtomicBoolean listening = new AtomicBoolean();

    /**
     * Creates the binder.
     * @param transport the transport to report on
     */
    public KeepAliveMetrics(KeepAliveTransport transport) {
        this(transport, transport::pool, System::nanoTime);
    }

    /** For tests: the pool snapshots and the clock that the cache reads. */
    KeepAliveMetrics(KeepAliveTransport transport, Supplier<PoolSnapshot> pools, LongSupplier nanoClock) {
        this.transport = transport;
        this.snapshots = new SnapshotCache(pools, transport::totals, nanoClock);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Binding binding = new Binding(registry);
        this.bindings.add(binding);
        binding.registerGlobalMeters();
        if (this.listening.compareAndSet(false, true)) {
            this.transport.addListener(new AcquireTimerListener());
        }
        registerRoutes(this.transport.pool());
    }

    private void registerRoutes(PoolSnapshot pool) {
        for (RouteSnapshot route : pool.routes()) {
            for (Binding binding : this.bindings) {
                binding.registerRoute(route.route(), route.maxConns());
            }
        }
    }

    /** The route's total cap, from the settings as the pool sets it (route is {@code scheme://host:port}). */
    private int maxConns(String route) {
        return this.transport.settings()
            .pool()
            .maxConnsFor(route.substring(route.indexOf("://") + 3).toLowerCase(Locale.ROOT));
    }

    private double routeValue(String route, ToDoubleFunction<RouteSnapshot> value) {
        RouteSnapshot entry = this.snapshots.route(route);
        return (entry != null) ? value.applyAsDouble(entry) : Double.NaN;
    }

    /**
     * Feeds {@code keepalive.connections.acquire} from the transport's acquire events, and removes a dropped
     * route's meters.
     */
    private final class AcquireTimerListener implements TransportListener {

        @Override
        public void connectionAcquired(String route, AcquireOutcome outcome, long nanos) {
            for (Binding binding : KeepAliveMetrics.this.bindings) {
                binding.acquireTimer(route, outcome).record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void routeRemoved(String route) {
            for (Binding binding : KeepAliveMetrics.this.bindings) {
                binding.removeRoute(route);
            }
        }

    }

    /** The meters of one registry. */
    private final class Binding {

        private final MeterRegistry registry;

        private final Set<String> routes = ConcurrentHashMap.newKeySet();

        private final Map<String, Timer> acquireTimers = new ConcurrentHashMap<>();

        Binding(MeterRegistry registry) {
            this.registry = registry;
        }

        void registerGlobalMeters() {
            SnapshotCache cache = KeepAliveMetrics.this.snapshots;
            Gauge.builder("keepalive.bodies.open", cache, (c) -> c.totals().openBodies())
                .description("Response bodies not yet read to the end or closed")
                .register(this.registry);
            Gauge.builder("keepalive.bodies.leak.suspects", cache, (c) -> c.totals().leakSuspects())
                .description("Open response bodies with no read for the leak-detection threshold")
                .register(this.registry);
            bodiesClosed(cache, "eof", TransportTotals::eof);
            bodiesClosed(cache, "early-drained", TransportTotals::earlyCloseDrained);
            bodiesClosed(cache, "early-discarded", TransportTotals::earlyCloseDiscarded);
            bodiesClosed(cache, "eof-not-closed", TransportTotals::eofNotClosed);
            bodiesClosed(cache, "leaked", TransportTotals::leaked);
        }

        private void bodiesClosed(SnapshotCache cache, String outcome, ToDoubleFunction<TransportTotals> count) {
            FunctionCounter.builder("keepalive.bodies.closed", cache, (c) -> count.applyAsDouble(c.totals()))
                .description("Response bodies finished, by outcome")
                .tag("outcome", outcome)
                .register(this.registry);
        }

        void registerRoute(String route, int maxConns) {
            if (!this.routes.add(route)) {
                return;
            }
            KeepAliveMetrics metrics = KeepAliveMetrics.this;
            Tags tags = Tags.of("route", route);
            Gauge.builder("keepalive.connections", metrics, (m) -> m.routeValue(route, RouteSnapshot::active))
                .description("Pooled connections by state")
                .tags(tags)
                .tag("state", "active")
                .register(this.registry);
            Gauge.builder("keepalive.connections", metrics, (m) -> m.routeValue(route, RouteSnapshot::idle))
                .description("Pooled connections by state")
                .tags(tags)
                .tag("state", "idle")
                .register(this.registry);
            Gauge.builder("keepalive.connections.waiting", metrics, (m) -> m.routeValue(route, RouteSnapshot::waiting))
                .description("Callers waiting for a connection at the per-host cap")
                .tags(tags)
                .register(this.registry);
            if (maxConns > 0) {
                Gauge.builder("keepalive.connections.max", metrics, (m) -> m.routeValue(route, RouteSnapshot::maxConns))
                    .description("The per-host connection cap")
                    .tags(tags)
                    .register(this.registry);
            }
            FunctionCounter.builder("keepalive.connections.opened", metrics,
                    (m) -> m.routeValue(route, RouteSnapshot::opened))
                .description("Connections opened")
                .tags(tags)
                .register(this.registry);
            for (CloseReason reason : CloseReason.values()) {
                FunctionCounter.builder("keepalive.connections.closed", metrics,
                        (m) -> m.routeValue(route, (r) -> r.closedBy().getOrDefault(reason, 0L)))
                    .description("Connections closed, by reason")
                    .tags(tags)
                    .tag("reason", reason.key())
                    .register(this.registry);
            }
            FunctionCounter.builder("keepalive.connections.reused", metrics,
                    (m) -> m.routeValue(route, RouteSnapshot::reused))
                .description("Exchanges carried by an already used connection")
                .tags(tags)
                .register(this.registry);
            // Every outcome from the start, at zero: the first timeout is then an increase that Prometheus's
            // increase() and rate() see (a series born at 1 shows no increase), so the alerts fire on it.
            for (AcquireOutcome outcome : AcquireOutcome.values()) {
                registerAcquireTimer(route, outcome);
            }
        }

        void removeRoute(String route) {
            if (!this.routes.remove(route)) {
                return;
            }
            this.acquireTimers.keySet().removeIf((key) -> key.startsWith(route + ' '));
            for (Meter meter : this.registry.getMeters()) {
                Meter.Id id = meter.getId();
                if (id.getName().startsWith("keepalive.connections") && route.equals(id.getTag("route"))) {
                    this.registry.remove(meter);
                }
            }
        }

        Timer acquireTimer(String route, AcquireOutcome outcome) {
            Timer timer = this.acquireTimers.get(route + ' ' + outcome.key());
            if (timer != null) {
                return timer;
            }
            if (!this.routes.contains(route)) {
                registerRoute(route, KeepAliveMetrics.this.maxConns(route));
            }
            return registerAcquireTimer(route, outcome);
        }

        private Timer registerAcquireTimer(String route, AcquireOutcome outcome) {
            return this.acquireTimers.computeIfAbsent(route + ' ' + outcome.key(),
                    (key) -> Timer.builder("keepalive.connections.acquire")
                        .description("Time callers spent getting a connection from the pool, by outcome")
                        .tags("route", route, "outcome", outcome.key())
                        .register(this.registry));
        }

    }

}
