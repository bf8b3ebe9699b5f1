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
 * JFR event {@code dev.keepalive.BodyLeaked}: the application dropped a response whose body was still open
 * (design §3 rule 12). Committed by the housekeeping thread, whose own stack says nothing, so the event
 * carries the opening line and stack of the body instead.
 */
@Name("dev.keepalive.BodyLeaked")
@Label("Body Leaked")
@Category({ "keepalive", "HTTP Client" })
@Description("A response body was dropped while still open; its connection was reclaimed when reclaim is on")
@StackTrace(false)
final class BodyLeakedEvent extends Event {

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

    @Label("Age")
    @Timespan(Timespan.MILLISECONDS)
    long age;

    @Label("Bytes Read")
    @DataAmount(DataAmount.BYTES)
    long bytesRead;

    /**
     * Commits one for {@code body} if a recording wants it. Without a recording this is one check: nothing
     * is copied from the body, no stack is turned into text.
     */
    static void commit(OpenBody body) {
        BodyLeakedEvent event = new BodyLeakedEvent();
        if (event.shouldCommit()) {
            long now = System.nanoTime();
            event.route = body.route.name();
            event.method = body.method;
            event.uri = UriRedactor.redact(body.uri);
            event.openedAt = body.openedAt();
            List<String> stack = body.stack();
            event.stack = (stack != null) ? String.join("\n", stack) : null;
            event.age = TimeUnit.NANOSECONDS.toMillis(now - body.openedNanos);
            event.bytesRead = body.bytesRead;
            event.commit();
        }
    }
}
