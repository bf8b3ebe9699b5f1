package dev.keepalive.transport.internal.pool;

import dev.keepalive.transport.AcquireOutcome;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * JFR event {@code dev.keepalive.ConnectionAcquire}: a caller got a connection from the pool, or gave up at
 * the per-host cap. The event's duration is the time spent acquiring (excluding connect and TLS). Only
 * acquires of at least 10 ms are recorded by default, so the fast ones (an idle connection, a new one)
 * stay out; a recording can lower the threshold ({@code dev.keepalive.ConnectionAcquire#threshold=0 ms}).
 */
@Name("dev.keepalive.ConnectionAcquire")
@Label("Connection Acquire")
@Category({ "keepalive", "HTTP Client" })
@Description("A caller got a pooled connection (idle, new, after waiting) or timed out waiting at the cap")
@Threshold("10 ms")
public final class ConnectionAcquireEvent extends Event {

    @Label("Route")
    String route;

    @Label("Outcome")
    @Description("idle, new, waited or timeout")
    String outcome;

    @Label("Wait")
    @Description("Time spent acquiring, as the keepalive.connections.acquire timer records it")
    @Timespan(Timespan.NANOSECONDS)
    long wait;

    /** Fills and commits the event begun at the start of the acquire, if a recording wants it. */
    void finish(Route route, AcquireOutcome outcome, long waitNanos) {
        end();
        if (shouldCommit()) {
            this.route = route.name();
            this.outcome = outcome.key();
            this.wait = waitNanos;
            commit();
        }
    }
}
