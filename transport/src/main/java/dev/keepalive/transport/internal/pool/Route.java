package dev.keepalive.transport.internal.pool;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import dev.keepalive.transport.internal.UriRedactor;
import dev.keepalive.transport.internal.proxy.HttpProxy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;

/**
 * The key of a pool: scheme, host, port, for {@code https} the TLS profile, so that connections made
 * with different trust are never shared, and the {@link HttpProxy} the connections go through, if any.
 * {@link #name()} is what users see. {@link #host()} is bare (an IPv6 literal without brackets, as sockets
 * and TLS want it); {@link #name()}, {@link #hostPort()} and {@link #hostHeader()} add the one pair of
 * brackets RFC 3986 asks for.
 *
 * <p>A class rather than a record so that it can keep its {@link #name()}: metrics, listeners and the body
 * tracker ask the pool's route for it on every request and every sweep, and it is built once.
 */
public final class Route {

    private final String scheme;
    private final String host;
    private final int port;
    private final TlsProfile tls;
    private final HttpProxy proxy;
    /** Built on first use; a race builds an equal string twice, which is harmless. */
    private String name;

    public Route(String scheme, String host, int port, TlsProfile tls, HttpProxy proxy) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.proxy = proxy;
    }

    /** A direct route. */
    public Route(String scheme, String host, int port, TlsProfile tls) {
        this(scheme, host, port, tls, null);
    }

    /** {@code http} or {@code https}, lower case. */
    public String scheme() {
        return this.scheme;
    }

    /** The host, lower case, an IPv6 literal without brackets. */
    public String host() {
        return this.host;
    }

    public int port() {
        return this.port;
    }

    /** The TLS setup for {@code https}, {@code null} for {@code http}. */
    public TlsProfile tls() {
        return this.tls;
    }

    /** The proxy the connections go through, {@code null} for none. */
    public HttpProxy proxy() {
        return this.proxy;
    }

    /**
     * Which TLS setup makes a connection: a context with protocols and cipher suites, or an Apache
     * {@link TlsSocketStrategy} (the setup of a {@link dev.keepalive.transport.KeepAliveConnectionManager});
     * compared by the identity of the context or strategy and by the lists.
     */
    public record TlsProfile(SSLContext context, List<String> protocols, List<String> cipherSuites,
            TlsSocketStrategy strategy) {

        public static TlsProfile of(SSLContext context, SSLParameters parameters) {
            List<String> protocols = (parameters != null && parameters.getProtocols() != null)
                    ? List.of(parameters.getProtocols()) : null;
            List<String> ciphers = (parameters != null && parameters.getCipherSuites() != null)
                    ? List.of(parameters.getCipherSuites()) : null;
            return new TlsProfile(context, protocols, ciphers, null);
        }

        public static TlsProfile of(TlsSocketStrategy strategy) {
            return new TlsProfile(null, null, null, strategy);
        }
    }

    /** The route of {@code uri}; throws {@link IllegalArgumentException} naming what is wrong with it. */
    public static Route of(URI uri, TlsProfile tls) {
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("Not an absolute http(s) URI: " + UriRedactor.redact(uri));
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw new IllegalArgumentException("Unsupported scheme '" + scheme + "' in " + UriRedactor.redact(uri)
                    + "; keepalive speaks http and https");
        }
        String host = uri.getHost();
        if (uri.getRawAuthority() == null || host == null || host.isEmpty()) {
            throw new IllegalArgumentException("No host in " + UriRedactor.redact(uri));
        }
        if (host.length() > 2 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
            host = host.substring(1, host.length() - 1); // URI keeps an IPv6 literal's brackets; the route does not
        }
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        return new Route(scheme, host.toLowerCase(Locale.ROOT), port, https ? tls : null);
    }

    /**
     * Whether the host is an IP address rather than a name: TLS then sends no server name (RFC 6066 §3) and
     * the certificate must name the address.
     */
    public boolean ipLiteral() {
        return this.host.indexOf(':') >= 0 || isIpv4(this.host);
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch((c) -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    public boolean secure() {
        return this.tls != null;
    }

    /** This route through {@code proxy}; itself when {@code proxy} is {@code null}. */
    public Route via(HttpProxy proxy) {
        return proxy == null ? this : new Route(this.scheme, this.host, this.port, this.tls, proxy);
    }

    /**
     * {@code scheme://host:port}, or {@code scheme://host:port via http://proxy:port} through a proxy (never its
     * credentials), as shown in snapshots, logs and metric tags.
     */
    public String name() {
        String n = this.name;
        if (n == null) {
            String target = this.scheme + "://" + hostPort();
            n = this.proxy == null ? target : target + " via " + this.proxy.name();
            this.name = n;
        }
        return n;
    }

    /** {@code host:port}, the key of per-host overrides. */
    public String hostPort() {
        return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
    }

    /** The {@code Host} header value: the port only when it is not the scheme's default. */
    public String hostHeader() {
        boolean defaultPort = this.port == (secure() ? 443 : 80);
        String h = this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host;
        return defaultPort ? h : h + ":" + this.port;
    }

    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof Route that && this.port == that.port
                && this.scheme.equals(that.scheme) && this.host.equals(that.host)
                && Objects.equals(this.tls, that.tls) && Objects.equals(this.proxy, that.proxy));
    }

    @Override
    public int hashCode() {
        int h = this.scheme.hashCode();
        h = 31 * h + this.host.hashCode();
        h = 31 * h + this.port;
        h = 31 * h + Objects.hashCode(this.tls);
        return 31 * h + Objects.hashCode(this.proxy);
    }

    @Override
    public String toString() {
        return "Route[scheme=" + this.scheme + ", host=" + this.host + ", port=" + this.port + ", tls=" + this.tls
                + ", proxy=" + this.proxy + "]";
    }
}
