package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;

import dev.keepalive.transport.TrackedResponse;
import dev.keepalive.transport.internal.body.Compression;
import dev.keepalive.transport.internal.body.GzipBody;
import dev.keepalive.transport.internal.body.TrackedBody;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The response the application receives. Its body is tracked; {@link #close()} applies the drain
 * budget (rule 8) instead of reading the rest however large it is. If the application drops it with the
 * body still open, the tracker finds out through a phantom reference to this object.
 */
final class KeepAliveClientHttpResponse implements ClientHttpResponse, TrackedResponse {

    private final ClassicHttpResponse wire;
    private final Exchange exchange;
    private TrackedBody body;
    /** The decoded view of {@link #body} when the transport asked for gzip and got it; else null. */
    private GzipBody decoded;
    private HttpHeaders headers;

    private KeepAliveClientHttpResponse(ClassicHttpResponse wire, Exchange exchange) {
        this.wire = wire;
        this.exchange = exchange;
    }

    /**
     * The response to a request that asked for gzip when {@code askedGzip} (rule 19): a gzip body is then
     * decoded, and its encoding headers hidden.
     */
    static KeepAliveClientHttpResponse of(Exchange exchange, ClassicHttpResponse wire, boolean askedGzip)
            throws IOException {
        KeepAliveClientHttpResponse response = new KeepAliveClientHttpResponse(wire, exchange);
        boolean decode = askedGzip && Compression.isGzip(wire);
        if (decode) {
            Compression.hideEncoding(wire); // the entity has already taken its length from them
        }
        HttpEntity entity = wire.getEntity();
        if (entity == null || entity.getContentLength() == 0) {
            exchange.finishedWithoutBody();
        }
        else {
            response.body = exchange.trackBody(response, entity);
            if (decode) {
                response.decoded = new GzipBody(response.body);
            }
        }
        return response;
    }

    int statusCode() {
        return this.wire.getCode();
    }

    /** The first value of a response header, read without building {@link #getHeaders()}. */
    String firstHeader(String name) {
        Header header = this.wire.getFirstHeader(name);
        return header != null ? header.getValue() : null;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(this.wire.getCode());
    }

    @Override
    public String getStatusText() {
        String reason = this.wire.getReasonPhrase();
        return reason != null ? reason : "";
    }

    @Override
    public HttpHeaders getHeaders() {
        if (this.headers == null) {
            this.headers = HttpHeaders.readOnlyHttpHeaders(new HttpHeaders(new ResponseHeaders(this.wire)));
        }
        return this.headers;
    }

    @Override
    public InputStream getBody() {
        if (this.decoded != null) {
            return this.decoded;
        }
        return this.body != null ? this.body : InputStream.nullInputStream();
    }

    @Override
    public void close() {
        if (this.decoded != null) {
            this.decoded.close();
        }
        else if (this.body != null) {
            this.body.close();
        }
        Reference.reachabilityFence(this);
    }

    @Override
    public long connectionId() {
        return this.exchange.connection().id;
    }

    @Override
    public boolean connectionReused() {
        return this.exchange.reused();
    }

    @Override
    public long bodyId() {
        return this.body != null ? this.body.bodyId() : -1;
    }
}
