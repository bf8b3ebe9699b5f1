package dev.keepalive.sample;

import java.net.URI;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Where the demos send their requests: {@code demo.upstream-url} when set, else this application itself on
 * the port its web server listens on ({@code http://127.0.0.1:<port>}). A demo's {@code path} must be a path
 * ({@code /upstream/bytes/1024}), never a full URL, so the sample cannot be used to reach arbitrary hosts.
 */
@Component
public class Upstream implements ApplicationListener<WebServerInitializedEvent> {

    private final URI configured;

    private volatile URI self;

    /**
     * Creates the resolver.
     * @param properties the demo settings
     */
    public Upstream(DemoProperties properties) {
        this.configured = properties.upstreamUrl();
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        this.self = URI.create("http://127.0.0.1:" + event.getWebServer().getPort());
    }

    /**
     * The upstream base URL.
     * @return {@code demo.upstream-url}, or this application's own address
     * @throws IllegalStateException before the web server has started when no upstream is configured
     */
    public URI baseUrl() {
        if (this.configured != null) {
            return this.configured;
        }
        URI own = this.self;
        if (own == null) {
            throw new IllegalStateException("The web server has not started yet and demo.upstream-url is not set");
        }
        return own;
    }

    /**
     * Resolves a demo's {@code path} against the upstream.
     * @param path an absolute path with optional query, e.g. {@code /upstream/chunked/4096}
     * @return the full URI to call
     * @throws IllegalArgumentException when {@code path} is not a path
     */
    public URI resolve(String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//")) {
            throw new IllegalArgumentException("path must start with a single '/', e.g. /upstream/bytes/1024; got: "
                    + path);
        }
        URI base = baseUrl();
        String prefix = base.toString().endsWith("/") ? base.toString().substring(0, base.toString().length() - 1)
                : base.toString();
        return URI.create(prefix + path);
    }

    /**
     * The pool route that requests to the upstream use, as the actuator shows it.
     * @return {@code scheme://host:port}
     */
    public String route() {
        URI base = baseUrl();
        int port = base.getPort() != -1 ? base.getPort() : ("https".equalsIgnoreCase(base.getScheme()) ? 443 : 80);
        return base.getScheme() + "://" + base.getHost() + ":" + port;
    }

}
