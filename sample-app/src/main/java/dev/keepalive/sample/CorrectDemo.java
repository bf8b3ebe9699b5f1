package dev.keepalive.sample;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;

import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * {@code /demo/correct}: the right way. The body is read to the end and the response is closed (RestClient's
 * {@code exchange} closes it when the function returns, as {@code retrieve()} does), so the connection goes
 * straight back to the pool and the next call reuses it.
 */
@Component
public class CorrectDemo {

    static final String LESSON = "Read the body and close it (RestClient's retrieve() and exchange() close it "
            + "for you): the connection goes straight back to the pool and the next call reuses it.";

    private final RestClient client;

    private final Upstream upstream;

    /**
     * Creates the demo.
     * @param client the keepalive-backed client
     * @param upstream where to send the request
     */
    public CorrectDemo(RestClient client, Upstream upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /**
     * Calls the upstream, reads the whole body and closes the response.
     * @param path the upstream path
     * @return what happened
     */
    public DemoResult run(String path) {
        URI uri = this.upstream.resolve(path);
        return this.client.get().uri(uri).exchange((request, response) -> {
            long bytesRead;
            try (InputStream body = response.getBody()) {
                bytesRead = body.transferTo(OutputStream.nullOutputStream());
            }
            return DemoResult.of("correct", this.upstream.route(), uri, response, bytesRead, LESSON);
        });
    }

}
