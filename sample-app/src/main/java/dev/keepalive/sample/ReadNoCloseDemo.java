package dev.keepalive.sample;

import java.io.OutputStream;
import java.net.URI;

import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * {@code /demo/read-no-close}: Go's "it works, but". The body is read to EOF and the response is never
 * closed. Reaching EOF hands the connection back to the pool at once, so nothing leaks and the next call
 * reuses it; the dropped response is still counted as {@code eofNotClosed} once it is collected, a habit to
 * fix.
 */
@Component
public class ReadNoCloseDemo {

    static final String LESSON = "Reading to EOF hands the connection back even without close, as in Go, so it "
            + "is reused; the dropped response still counts as eofNotClosed after a GC: close it anyway.";

    private final RestClient client;

    private final Upstream upstream;

    /**
     * Creates the demo.
     * @param client the keepalive-backed client
     * @param upstream where to send the request
     */
    public ReadNoCloseDemo(RestClient client, Upstream upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /**
     * Calls the upstream and reads the body to EOF without closing the stream or the response.
     * @param path the upstream path
     * @return what happened
     */
    public DemoResult run(String path) {
        URI uri = this.upstream.resolve(path);
        // close = false: RestClient leaves the response open, as code that forgets close() would.
        return this.client.get().uri(uri).exchange((request, response) -> {
            long bytesRead = response.getBody().transferTo(OutputStream.nullOutputStream());
            return DemoResult.of("read-no-close", this.upstream.route(), uri, response, bytesRead, LESSON);
        }, false);
    }

}
