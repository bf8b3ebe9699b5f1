package dev.keepalive.transport.internal.body;

import java.util.concurrent.TimeUnit;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code dev.keepalive.LeakSuspect}: an open response body has had no read for
 * {@code leak-detection.threshold} (design §3 rule 11). Committed by the housekeeping thread, so it carries
 * the body's opening line and stack rather than a stack of its own.
 */
@Name("dev.keepalive.LeakSuspect")
@Label("Leak Suspect")
@Category({ "keepalive", "HTTP Client" })
@Description("An open response body has had no read for the leak-detection threshold")
@StackTrace(false)
public final class LeakSuspectEvent extends BodyEvent {

    @Label("Idle")
    @Description("Time since the application last read from the body")
    @Timespan(Timespan.MILLISECONDS)
    long idle;

    /**
     * Commits one for {@code body} if a recording wants it. Without a recording this is one check: nothing
     * is copied from the body, no stack is turned into text.
     */
    static void commit(OpenBody body) {
        LeakSuspectEvent event = new LeakSuspectEvent();
        if (event.shouldCommit()) {
            long now = System.nanoTime();
            event.describe(body);
            event.idle = TimeUnit.NANOSECONDS.toMillis(now - body.lastReadNanos);
            event.commit();
        }
    }
}
