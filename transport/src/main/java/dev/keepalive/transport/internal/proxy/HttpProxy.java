package dev.keepalive.transport.internal.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import dev.keepalive.transport.internal.UriRedactor;

/**
 * One HTTP proxy a route goes through: its address and, when the proxy URL carried user-info, the
 * {@code Proxy-Authorization: Basic} value made from it. Part of a route's key (the pool's {@code Route}), so
 * equal only with equal credentials; {@link #toString()} and {@link #name()} never show them.
 *
 * @param host the proxy's host, lower case, an IPv6 literal without brackets
 * @param port the proxy's port
 * @param authorization the {@code Proxy-Authorization} header value, or {@code null}
 */
public record HttpProxy(String host, int port, String authorization) {

    /**
     * Parses {@code http://[user:password@]host[:port]} (port 80 when absent, as Go). {@code schemeOptional}
     * reads {@code host:port} as {@code http://host:port}, as Go does for its environment variables.
     * Throws {@link IllegalArgumentException} whose message starts with {@code setting} and never holds the
     * user-info.
     */
    public static HttpProxy parse(String url, String setting, boolean schemeOptional) {
        String text = url.strip();
        if (schemeOptional && !text.contains("://")) {
            text = "http://" + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        }
        catch (URISyntaxException ex) {
            // The text may hold a password: say where it broke, not what it was.
            throw new IllegalArgumentException(setting + " is not a valid URL (" + ex.getReason()
                    + "); expected http://[user:password@]host:port");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String shown = UriRedactor.redact(uri);
        if (scheme.startsWith("socks")) {
            throw new IllegalArgumentException(setting + " is a SOCKS proxy (" + shown
                    + "), which keepalive cannot use; it speaks to HTTP proxies only (http://host:port)");
        }
        if (scheme.equals("https")) {
            throw new IllegalArgumentException(setting + " (" + shown + ") asks for TLS to the proxy, which keepalive "
                    + "does not support; use http://host:port (https targets are still tunnelled with CONNECT and "
                    + "TLS end to end)");
        }
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(setting + " must be http://[user:password@]host:port, but its scheme is '"
                    + (uri.getScheme() == null ? "" : uri.getScheme()) + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(setting + " has no host (" + shown
                    + "); expected http://[user:password@]host:port");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(setting + " must be http://[user:password@]host:port with no path, "
                    + "query or fragment, but was " + shown);
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HttpProxy(host, uri.getPort() == -1 ? 80 : uri.getPort(), basic(uri.getUserInfo()));
    }

    private static String basic(String userInfo) {
        if (userInfo == null || userInfo.isEmpty()) {
            return null;
        }
        // URI#getUserInfo has already percent-decoded "user:password"; Basic wants them joined by ':' as UTF-8.
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code host:port}, an IPv6 literal in brackets: the CONNECT target form and what logs show. */
    String hostPort() {
        return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
    }

    /** {@code http://host:port}: how the proxy is shown everywhere, never with its credentials. */
    public String name() {
        return "http://" + hostPort();
    }

    @Override
    public String toString() {
        return name();
    }
}
