package dev.keepalive.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.TrackedResponse;

import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * {@code /demo/early-close}: reads {@code read} bytes and closes the response before EOF. The transport
 * then drains what is left when it is at most {@code keepalive.drain.max-bytes} and arrives within
 * {@code keepalive.drain.timeout}, keeping the connection; otherwise it closes the connection unread.
 */
@Component
public class EarlyCloseDemo {

    static final String LESSON = "Closing before EOF drains at most drain.max-bytes within drain.timeout to keep "
            + "the connection; a bigger or slower rest closes the connection instead of reading it all.";

    private final RestClient client;

    private final Upstream upstream;

    private final KeepAliveTransport transport;

    /**
     * Creates the demo.
     * @param client the keepalive-backed client
     * @param upstream where to send the request
     * @param transport the transport, to see whether the connection survived the close
     */
    public EarlyCloseDemo(RestClient client, Upstream upstream, KeepAliveTransport transport) {
        this.client = client;
        this.upstream = upstream;
        this.transport = transport;
    }

    /**
     * Calls the upstream, reads at most {@code read} bytes, and closes the response.
     * @param path the upstream path
     * @param read how many bytes to read before closing, 0 or more
     * @return what happened, with {@code connectionKept}
     */
    public DemoResult run(String path, long read) {
        if (read < 0) {
            throw new IllegalArgumentException("read must be 0 or more; got " + read);
        }
        URI uri = this.upstream.resolve(path);
        return this.client.get().uri(uri).exchange((request, response) -> {
            TrackedResponse tracked = TrackedResponses.of(response).orElse(null);
            long bytesRead = readAtMost(response.getBody(), read);
            response.close();
            Boolean kept = (tracked != null) ? survived(tracked.connectionId()) : null;
            return new DemoResult("early-close", this.upstream.route(), uri, response.getStatusCode().value(),
                    bytesRead, tracked != null ? tracked.connectionReused() : null,
                    tracked != null ? tracked.connectionId() : null, kept, null, null, LESSON);
        });
    }

    private static long readAtMost(InputStream body, long limit) throws IOException {
        byte[] buffer = new byte[8192];
        long total = 0;
        while (total < limit) {
            int n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
            if (n == -1) {
                break;
            }
            total += n;
        }
        return total;
    }

    private boolean survived(long connectionId) {
        return this.transport.pool()
            .route(this.upstream.route())
            .map((route) -> route.connections().stream().anyMatch((connection) -> connection.id() == connectionId))
            .orElse(false);
    }

}
