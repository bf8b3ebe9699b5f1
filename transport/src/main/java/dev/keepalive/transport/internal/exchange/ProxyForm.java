package dev.keepalive.transport.internal.exchange;

import dev.keepalive.transport.internal.pool.Route;
import dev.keepalive.transport.internal.proxy.HttpProxy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * How a plain {@code http} request goes to a proxy (RFC 9112 §3.2.2): the request target in absolute form,
 * {@code GET http://host:port/path HTTP/1.1}, and the proxy's credentials as {@code Proxy-Authorization}.
 * An {@code https} request needs neither: it travels inside its {@link ProxyTunnel} as if direct.
 */
final class ProxyForm {

    private ProxyForm() {
    }

    /** {@code request} made fit for its route: unchanged unless it is a plain request through a proxy. */
    static ClassicHttpRequest apply(ClassicHttpRequest request, Route route) {
        HttpProxy proxy = route.proxy();
        if (proxy == null || route.secure()) {
            return request;
        }
        String host = route.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        request.setScheme(route.scheme());
        request.setAuthority(new URIAuthority(host, route.port() == 80 ? -1 : route.port()));
        ((BasicHttpRequest) request).setAbsoluteRequestUri(true);
        if (proxy.authorization() != null && !request.containsHeader("Proxy-Authorization")) {
            request.addHeader("Proxy-Authorization", proxy.authorization());
        }
        return request;
    }
}
