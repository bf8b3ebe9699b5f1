package dev.keepalive.transport.internal.body;

import java.util.concurrent.TimeUnit;

import jdk.jfr.Category;
import jdk.jfr.Description;
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
public final class BodyLeakedEvent extends BodyEvent {

    @Label("Age")
    @Timespan(Timespan.MILLISECONDS)
    long age;

    /**
     * Commits one for {@code body} if a recording wants it. Without a recording this is one check: nothing
     * is copied from the body, no stack is turned into text.
     */
    static void commit(OpenBody body) {
        BodyLeakedEvent event = new BodyLeakedEvent();
        if (event.shouldCommit()) {
            long now = System.nanoTime();
            event.describe(body);
            event.age = TimeUnit.NANOSECONDS.toMillis(now - body.openedNanos);
            event.commit();
        }
    }
}
