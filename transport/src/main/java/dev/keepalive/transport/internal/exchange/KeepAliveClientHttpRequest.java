package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;

import dev.keepalive.transport.RequestOptions;
import dev.keepalive.transport.internal.pool.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.FastByteArrayOutputStream;

/**
 * A request of a {@link dev.keepalive.transport.KeepAliveRequestFactory}. A body written to {@link #getBody()}
 * is buffered (so it can be replayed on a stale connection); a body given through {@link #setBody} is streamed.
 */
public final class KeepAliveClientHttpRequest extends AbstractClientHttpRequest implements StreamingHttpOutputMessage {

    private final Engine engine;
    private final RequestOptions options;
    private final Route.TlsProfile tls;
    private final HttpMethod method;
    private final URI uri;
    private FastByteArrayOutputStream buffer;
    private Body streamingBody;

    public KeepAliveClientHttpRequest(Engine engine, RequestOptions options, Route.TlsProfile tls, HttpMethod method,
            URI uri) {
        this.engine = engine;
        this.options = options;
        this.tls = tls;
        this.method = method;
        this.uri = uri;
    }

    @Override
    public HttpMethod getMethod() {
        return this.method;
    }

    @Override
    public URI getURI() {
        return this.uri;
    }

    @Override
    public void setBody(Body body) {
        assertNotExecuted();
        if (this.buffer != null) {
            throw new IllegalStateException("The body was already written through getBody()");
        }
        this.streamingBody = body;
    }

    @Override
    protected OutputStream getBodyInternal(HttpHeaders headers) {
        if (this.streamingBody != null) {
            throw new IllegalStateException("The body was already set through setBody()");
        }
        if (this.buffer == null) {
            this.buffer = new FastByteArrayOutputStream(1024);
        }
        return this.buffer;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers) throws IOException {
        RequestBody body = null;
        if (this.streamingBody != null) {
            body = RequestBody.of(this.streamingBody);
        }
        else if (this.buffer != null) {
            body = RequestBody.of(this.buffer.toByteArrayUnsafe());
        }
        return this.engine.execute(this.method.name(), this.uri, headers, body, this.options, this.tls);
    }
}
