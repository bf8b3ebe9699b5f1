package dev.keepalive.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.TransportTotals;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} for the keepalive transport, by Spring Boot's convention that health says whether
 * this instance can serve: {@code DOWN} only while callers starve for connections, that is when a caller
 * timed out waiting at a per-host cap within the last minute, or when a caller has been waiting longer than
 * half of {@code acquire-timeout}. Anything else is {@code UP} with the totals as details. A leaked body that
 * was found and reclaimed stays {@code UP}: the instance serves, and taking it out of a load balancer's
 * rotation would not fix the calling code; {@code leaked} and {@code lastLeakAt} in the details, the ERROR
 * log, the metrics and the alerts carry it.
 * <p>
 * Reads the transport's {@link KeepAliveTransport#totals() totals}: constant time, however many routes and
 * open bodies there are.
 */
public class KeepAliveHealthIndicator implements HealthIndicator {

    static final Duration WINDOW = Duration.ofMinutes(1);

    private final KeepAliveTransport transport;

    private final Clock clock;

    private final long starvedWaitMillis;

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
        this.starvedWaitMillis = transport.settings().pool().acquireTimeout().toMillis() / 2;
    }

    @Override
    public Health health() {
        TransportTotals totals = this.transport.totals();
        long now = this.clock.millis();
        boolean timedOut = totals.lastAcquireTimeoutMillis() > 0
                && now - totals.lastAcquireTimeoutMillis() < WINDOW.toMillis();
        boolean starving = totals.waiting() > 0 && totals.longestWaitMillis() > this.starvedWaitMillis;
        Health.Builder builder = (timedOut || starving) ? Health.down() : Health.up();
        if (timedOut) {
            builder.withDetail("reason", "a caller timed out waiting for a connection at a per-host cap within the"
                    + " last minute");
        }
        else if (starving) {
            builder.withDetail("reason", "callers have been waiting for a connection longer than half of"
                    + " acquire-timeout (" + this.starvedWaitMillis + " ms)");
        }
        builder.withDetail("connections", connections(totals));
        builder.withDetail("bodies", bodies(totals));
        if (totals.lastAcquireTimeoutMillis() > 0) {
            builder.withDetail("lastAcquireTimeoutAt", Instant.ofEpochMilli(totals.lastAcquireTimeoutMillis()).toString());
        }
        if (totals.leaked() > 0) {
            builder.withDetail("leaked", totals.leaked());
            builder.withDetail("lastLeakAt", Instant.ofEpochMilli(totals.lastLeakMillis()).toString());
        }
        return builder.build();
    }

    private static Map<String, Object> connections(TransportTotals totals) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("active", totals.active());
        details.put("idle", totals.idle());
        details.put("waiting", totals.waiting());
        details.put("longestWaitMillis", totals.longestWaitMillis());
        details.put("opened", totals.opened());
        details.put("closed", totals.closed());
        return details;
    }

    private static Map<String, Object> bodies(TransportTotals totals) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("open", totals.openBodies());
        details.put("leakSuspects", totals.leakSuspects());
        details.put("opened", totals.bodiesOpened());
        details.put("eof", totals.eof());
        details.put("earlyCloseDrained", totals.earlyCloseDrained());
        details.put("earlyCloseDiscarded", totals.earlyCloseDiscarded());
        details.put("eofNotClosed", totals.eofNotClosed());
        details.put("leaked", totals.leaked());
        return details;
    }

}
