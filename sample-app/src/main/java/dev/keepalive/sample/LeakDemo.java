package dev.keepalive.sample;

import java.net.URI;

import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * {@code /demo/leak}: the bug. The request is executed and the response is dropped with its body neither
 * read nor closed. The body pins its connection (listed as active in {@code /actuator/httppools}, the body in
 * {@code /actuator/httpbodies} with this class's line as {@code openedAt}); after the leak-detection
 * threshold it is a leak suspect, and once a GC finds the response unreachable the transport closes the
 * connection and counts the body as {@code leaked}.
 */
@Component
public class LeakDemo {

    static final String LESSON = "A body neither read nor closed pins its connection until the leak detector "
            + "finds the dropped response after a GC; until then every such call costs one connection.";

    private final RestClient client;

    private final Upstream upstream;

    /**
     * Creates the demo.
     * @param client the keepalive-backed client
     * @param upstream where to send the request
     */
    public LeakDemo(RestClient client, Upstream upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /**
     * Calls the upstream and drops the response unread and unclosed.
     * @param path the upstream path
     * @return what happened ({@code bytesRead} is 0)
     */
    public DemoResult run(String path) {
        URI uri = this.upstream.resolve(path);
        // close = false, and the body is never touched: the response is simply dropped. The bug on purpose.
        return this.client.get().uri(uri).exchange(
                (request, response) -> DemoResult.of("leak", this.upstream.route(), uri, response, 0, LESSON), false);
    }

}
