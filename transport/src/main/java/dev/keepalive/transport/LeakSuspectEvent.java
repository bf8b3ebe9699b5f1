package dev.keepalive.transport;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
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
final class LeakSuspectEvent extends Event {

    @Label("Route")
    String route;

    @Label("Method")
    String method;

    @Label("URI")
    @Description("The request URI without user-info, its query replaced by ?…")
    String uri;

    @Label("Opened At")
    @Description("The first application frame of the stack that opened the body, or unknown")
    String openedAt;

    @Label("Opening Stack")
    @Description("The whole opening stack when it was recorded")
    String stack;

    @Label("Idle")
    @Description("Time since the application last read from the body")
    @Timespan(Timespan.MILLISECONDS)
    long idle;

    @Label("Bytes Read")
    @DataAmount(DataAmount.BYTES)
    long bytesRead;

    /**
     * Commits one for {@code body} if a recording wants it. Without a recording this is one check: nothing
     * is copied from the body, no stack is turned into text.
     */
    static void commit(OpenBody body) {
        LeakSuspectEvent event = new LeakSuspectEvent();
        if (event.shouldCommit()) {
            long now = System.nanoTime();
            event.route = body.route.name();
            event.method = body.method;
            event.uri = UriRedactor.redact(body.uri);
            event.openedAt = body.openedAt();
            List<String> stack = body.stack();
            event.stack = (stack != null) ? String.join("\n", stack) : null;
            event.idle = TimeUnit.NANOSECONDS.toMillis(now - body.lastReadNanos);
            event.bytesRead = body.bytesRead;
            event.commit();
        }
    }
}
