package dev.keepalive.transport;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;

import dev.keepalive.transport.internal.exchange.KeepAliveClientHttpRequest;
import dev.keepalive.transport.internal.pool.Route;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * A Spring {@link ClientHttpRequestFactory} over a keepalive pool, for {@code RestClient} and
 * {@code RestTemplate}, with or without Spring Boot.
 *
 * <pre>{@code
 * try (KeepAliveRequestFactory factory = KeepAliveRequestFactory.builder()
 *         .settings(KeepAliveSettings.builder().maxConnsPerHost(8).build())
 *         .build()) {
 *     RestClient client = RestClient.builder().requestFactory(factory).build();
 *     ...
 * }
 * }</pre>
 *
 * A factory made by {@link #builder()} owns its {@link KeepAliveTransport} and closing the factory closes
 * the pool. Factories made by {@link KeepAliveTransport#requestFactory(RequestOptions)} share their
 * transport's pool, and closing one of them does nothing: the transport's owner closes it.
 */
public final class KeepAliveRequestFactory implements ClientHttpRequestFactory, AutoCloseable {

    private final KeepAliveTransport transport;
    private final RequestOptions options;
    private final Route.TlsProfile tls;
    private final boolean ownsTransport;

    KeepAliveRequestFactory(KeepAliveTransport transport, RequestOptions options, boolean ownsTransport) {
        this.transport = transport;
        this.options = options;
        this.tls = Route.TlsProfile.of(options.sslContext(), options.sslParameters());
        this.ownsTransport = ownsTransport;
    }

    /** A builder for a factory with its own transport. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(httpMethod, "httpMethod");
        return new KeepAliveClientHttpRequest(this.transport.engine(), this.options, this.tls, httpMethod, uri);
    }

    /** The transport whose pool this factory uses. */
    public KeepAliveTransport transport() {
        return this.transport;
    }

    /** The options this factory applies to each request. */
    public RequestOptions options() {
        return this.options;
    }

    /** Closes the transport if this factory owns it (see the class description). */
    @Override
    public void close() {
        if (this.ownsTransport) {
            this.transport.close();
        }
    }

    /** Builds a {@link KeepAliveRequestFactory} that owns a new transport. */
    public static final class Builder {

        private KeepAliveSettings settings = KeepAliveSettings.defaults();
        private RequestOptions options = RequestOptions.defaults();

        private Builder() {
        }

        /** The pool and body-tracking settings (default: {@link KeepAliveSettings#defaults()}). */
        public Builder settings(KeepAliveSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Per-request options: timeouts, redirects, TLS (default: {@link RequestOptions#defaults()}). */
        public Builder options(RequestOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public KeepAliveRequestFactory build() {
            return new KeepAliveRequestFactory(KeepAliveTransport.create(this.settings), this.options, true);
        }
    }
}
