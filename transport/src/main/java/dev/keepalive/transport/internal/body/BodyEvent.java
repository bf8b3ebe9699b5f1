package dev.keepalive.transport.internal.body;

import java.util.List;

import dev.keepalive.transport.internal.UriRedactor;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;

/**
 * What every JFR event about one response body carries: its route, request and the line and stack that
 * opened it. The concrete events ({@link BodyLeakedEvent}, {@link LeakSuspectEvent}) add their own timing.
 */
abstract class BodyEvent extends Event {

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

    @Label("Bytes Read")
    @DataAmount(DataAmount.BYTES)
    long bytesRead;

    /** Copies the body's request, opening line and stack; called only once {@code shouldCommit()} said yes. */
    final void describe(OpenBody body) {
        this.route = body.route.name();
        this.method = body.method;
        this.uri = UriRedactor.redact(body.uri);
        this.openedAt = body.openedAt();
        List<String> lines = body.stack();
        this.stack = (lines != null) ? String.join("\n", lines) : null;
        this.bytesRead = body.bytesRead;
    }
}
