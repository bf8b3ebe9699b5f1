package dev.keepalive.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} for the keepalive transport. {@code UP} with the pool and body totals as details;
 * {@code DOWN} for one minute after a caller timed out waiting for a connection at a per-host cap, or after
 * a response body leaked: both mean calls are failing or about to.
 */
public class KeepAliveHealthIndicator implements HealthIndicator {

    static final Duration WINDOW = Duration.ofMinutes(1);

    private final KeepAliveTransport transport;

    private final Clock clock;

    /**
     * Creates the indicator.
     * @param transport the transport to report on
     */
    public KeepAliveHealthIndicator(KeepAliveTransport transport) {
        this(transport, Clock.systemUTC());
    }

    KeepAliveHealthIndicator(KeepAliveTransport transport, Clock clock) {
        this.transport = transport;
        this.clock = clock;
    }

    @Override
    public Health health() {
        PoolSnapshot pool = this.transport.pool();
        BodiesSnapshot bodies = this.transport.bodies();
        long now = this.clock.millis();
        boolean acquireTimedOut = recent(pool.lastAcquireTimeoutMillis(), now);
        boolean leaked = recent(bodies.lastLeakMillis(), now);
        Health.Builder builder = (acquireTimedOut || leaked) ? Health.down() : Health.up();
        builder.withDetail("connections", HttpPoolsEndpoint.totals(pool));
        builder.withDetail("bodies", HttpBodiesEndpoint.totals(bodies));
        if (acquireTimedOut) {
            builder.withDetail("lastAcquireTimeout", Instant.ofEpochMilli(pool.lastAcquireTimeoutMillis()).toString());
        }
        if (leaked) {
            builder.withDetail("lastLeak", Instant.ofEpochMilli(bodies.lastLeakMillis()).toString());
        }
        return builder.build();
    }

    private static boolean recent(long epochMillis, long now) {
        return epochMillis > 0 && now - epochMillis < WINDOW.toMillis();
    }

}
