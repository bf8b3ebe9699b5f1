package dev.keepalive.transport.internal.pool;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JFR event {@code dev.keepalive.PoolExhausted}: a caller timed out waiting for a connection at the per-host
 * cap (design §3 rule 4), with the pool's counts at that moment. Its stack is the caller's.
 */
@Name("dev.keepalive.PoolExhausted")
@Label("Pool Exhausted")
@Category({ "keepalive", "HTTP Client" })
@Description("A caller timed out waiting for a connection at the per-host cap")
public final class PoolExhaustedEvent extends Event {

    @Label("Route")
    String route;

    @Label("Max Connections")
    @Description("The per-host cap, max-conns-per-host")
    int maxConns;

    @Label("Active")
    int active;

    @Label("Idle")
    int idle;

    @Label("Waiting")
    @Description("Callers still waiting at the cap, besides the one that gave up")
    int waiting;

    @Label("Waited")
    @Timespan(Timespan.NANOSECONDS)
    long waited;

    /** Commits one if a recording wants it; costs a check when none does. */
    static void commit(String route, int maxConns, int active, int idle, int waiting, long waitedNanos) {
        PoolExhaustedEvent event = new PoolExhaustedEvent();
        if (event.shouldCommit()) {
            event.route = route;
            event.maxConns = maxConns;
            event.active = active;
            event.idle = idle;
            event.waiting = waiting;
            event.waited = waitedNanos;
            event.commit();
        }
    }
}
