package dev.keepalive.sample;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.keepalive.transport.PoolExhaustedException;
import dev.keepalive.transport.TrackedResponse;

import org.springframework.http.client.ClientHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * {@code /demo/storm}: {@code n} leaky calls in a row, as a busy service with a leak makes them. Each one
 * pins a connection; at {@code keepalive.max-conns-per-host} the next caller waits
 * {@code keepalive.acquire-timeout} and fails with the transport's {@link PoolExhaustedException}, whose
 * message names the host, the cap, the counts and the line that opened the bodies holding the connections.
 * With the sample's {@code application.yml} (cap 8, 2 s) the ninth call fails.
 */
@Component
public class StormDemo {

    /** The most calls one storm makes. */
    static final int MAX_CALLS = 100;

    static final String LESSON = "Every dropped body holds a connection, so at max-conns-per-host the next "
            + "caller waits acquire-timeout and fails; the message names the line that opened the held bodies.";

    private final RestClient client;

    private final Upstream upstream;

    /**
     * Creates the demo.
     * @param client the keepalive-backed client
     * @param upstream where to send the requests
     */
    public StormDemo(RestClient client, Upstream upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /**
     * Makes up to {@code n} leaky calls, stopping at the first that gets no connection.
     * @param n the number of calls, 1 to {@value #MAX_CALLS}
     * @param path the upstream path
     * @return the calls that got a connection and, when one did not, its diagnostic with status 503
     */
    public DemoResult run(int n, String path) {
        if (n < 1 || n > MAX_CALLS) {
            throw new IllegalArgumentException("n must be between 1 and " + MAX_CALLS + "; got " + n);
        }
        URI uri = this.upstream.resolve(path);
        // The dropped responses are held until the storm ends, standing for the garbage that no GC has
        // collected yet, so that the outcome does not depend on when the JVM happens to collect.
        List<ClientHttpResponse> dropped = new ArrayList<>();
        List<DemoResult.StormCall> calls = new ArrayList<>();
        String error = null;
        for (int call = 1; call <= n && error == null; call++) {
            try {
                ClientHttpResponse response = this.client.get().uri(uri).exchange((request, res) -> res, false);
                dropped.add(response);
                Optional<TrackedResponse> tracked = TrackedResponses.of(response);
                calls.add(new DemoResult.StormCall(call, response.getStatusCode().value(),
                        tracked.map(TrackedResponse::connectionId).orElse(null),
                        tracked.map(TrackedResponse::connectionReused).orElse(null)));
            }
            catch (ResourceAccessException ex) {
                PoolExhaustedException exhausted = PoolExhaustion.in(ex).orElseThrow(() -> ex);
                error = "call " + call + ": " + exhausted.getMessage();
            }
            catch (IOException ex) {
                throw new ResourceAccessException("Reading the status of storm call " + call + " failed", ex);
            }
        }
        dropped.clear();
        Boolean anyReused = calls.stream().anyMatch((call) -> Boolean.TRUE.equals(call.connectionReused()));
        return new DemoResult("storm", this.upstream.route(), uri, (error != null) ? 503 : 200, 0, anyReused, null,
                null, List.copyOf(calls), error, LESSON);
    }

}
