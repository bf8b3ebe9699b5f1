package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.internal.pool.PooledConnection;
import dev.keepalive.transport.internal.pool.Route;
import dev.keepalive.transport.internal.proxy.HttpProxy;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Timeout;

/**
 * Opens the socket of a new pooled connection: DNS, TCP connect (each resolved address in turn) to the
 * target or to the route's proxy, for {@code https} through a proxy the {@code CONNECT} tunnel, and for
 * {@code https} the TLS handshake with the target, its host name verified, then binds it to Apache's
 * connection. Failures name the route (and so the proxy) and what failed; a failed attempt never leaves a
 * socket open.
 */
public final class Connector {

    private final long tlsHandshakeTimeoutMillis;

    public Connector(KeepAliveSettings settings) {
        this.tlsHandshakeTimeoutMillis = settings.timeouts().tlsHandshake().toMillis();
    }

    public void connect(PooledConnection conn, long connectTimeoutMillis) throws IOException {
        connect(conn, connectTimeoutMillis, null);
    }

    /** As {@link #connect(PooledConnection, long)}; {@code context} goes to a route's TLS strategy. */
    public void connect(PooledConnection conn, long connectTimeoutMillis, HttpContext context) throws IOException {
        Route route = conn.route;
        Socket socket = openSocket(route, connectTimeoutMillis);
        try {
            if (route.proxy() != null && route.secure()) {
                ProxyTunnel.open(socket, route, connectTimeoutMillis);
            }
            if (route.secure()) {
                SSLSocket tls = handshake(socket, route, context);
                conn.wire.bind(tls, socket);
            }
            else {
                conn.wire.bind(socket);
            }
            conn.bound(socket);
        }
        catch (IOException | RuntimeException ex) {
            closeQuietly(socket);
            throw ex;
        }
    }

    /** Connects to the route's proxy when it has one, else to its target. */
    private static Socket openSocket(Route route, long timeoutMillis) throws IOException {
        HttpProxy proxy = route.proxy();
        String host = proxy != null ? proxy.host() : route.host();
        int port = proxy != null ? proxy.port() : route.port();
        // "Connect to proxy http://p:3128 for https://t:443 via http://p:3128" would say the proxy twice.
        String what = proxy != null ? "proxy " + proxy.name() + " for " + route.scheme() + "://" + route.hostPort()
                : route.name();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        }
        catch (UnknownHostException ex) {
            throw withCause(new UnknownHostException("Unknown host " + host + " for " + what), ex);
        }
        IOException last = null;
        for (InetAddress address : addresses) {
            // A channel's socket, not a plain one: its blocking streams (with SO_TIMEOUT) serve HttpCore as usual,
            // and the channel lets the pool check an idle connection without blocking (IdleCheck). A channel
            // never goes through the JVM's ProxySelector (a SOCKS proxy set with socksProxyHost, behind our
            // back): which proxy to use is decided by the route alone.
            Socket socket = SocketChannel.open().socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(new InetSocketAddress(address, port), (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
                return socket;
            }
            catch (SocketTimeoutException ex) {
                closeQuietly(socket);
                last = withCause(new ConnectTimeoutException("Connect to " + what + " (" + address.getHostAddress()
                        + ") timed out after " + timeoutMillis + " ms"), ex);
            }
            catch (IOException ex) {
                closeQuietly(socket);
                last = withCause(new ConnectException("Connect to " + what + " (" + address.getHostAddress()
                        + ") failed: " + ex.getMessage()), ex);
            }
        }
        throw last;
    }

    private SSLSocket handshake(Socket socket, Route route, HttpContext httpContext) throws IOException {
        TlsSocketStrategy strategy = route.tls().strategy();
        if (strategy != null) {
            return handshake(socket, route, strategy, httpContext);
        }
        SSLContext context = route.tls().context();
        if (context == null) {
            try {
                context = SSLContext.getDefault();
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IOException("No default TLS context for " + route.name(), ex);
            }
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, route.host(), route.port(), true);
        try {
            SSLParameters parameters = tls.getSSLParameters();
            // Verify that the certificate names the host; there is deliberately no way to turn this off.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (route.ipLiteral()) {
                // RFC 6066 §3: no server name for an address. The JDK leaves it out; a provider might not.
                parameters.setServerNames(List.of());
            }
            if (route.tls().protocols() != null) {
                parameters.setProtocols(route.tls().protocols().toArray(String[]::new));
            }
            if (route.tls().cipherSuites() != null) {
                parameters.setCipherSuites(route.tls().cipherSuites().toArray(String[]::new));
            }
            tls.setSSLParameters(parameters);
            tls.setSoTimeout((int) Math.min(this.tlsHandshakeTimeoutMillis, Integer.MAX_VALUE));
            tls.startHandshake();
            return tls;
        }
        catch (SocketTimeoutException ex) {
            closeQuietly(tls);
            throw withCause(new SocketTimeoutException("TLS handshake with " + route.name() + " timed out after "
                    + this.tlsHandshakeTimeoutMillis + " ms"), ex);
        }
        catch (IOException ex) {
            closeQuietly(tls);
            throw withCause(new SSLException("TLS handshake with " + route.name() + " failed: "
                    + ex.getMessage()), ex);
        }
    }

    /**
     * The handshake by an Apache {@link TlsSocketStrategy}, which verifies the host name itself (Apache's
     * {@code DefaultClientTlsStrategy} does, as configured by its owner). The handshake timeout goes to it as
     * Apache's {@link TlsConfig} and, for a strategy that ignores it, as the socket's read timeout.
     */
    private SSLSocket handshake(Socket socket, Route route, TlsSocketStrategy strategy, HttpContext context)
            throws IOException {
        int timeout = (int) Math.min(this.tlsHandshakeTimeoutMillis, Integer.MAX_VALUE);
        TlsConfig config = TlsConfig.custom().setHandshakeTimeout(Timeout.ofMilliseconds(timeout)).build();
        try {
            socket.setSoTimeout(timeout);
            return strategy.upgrade(socket, route.host(), route.port(), config, context);
        }
        catch (SocketTimeoutException ex) {
            throw withCause(new SocketTimeoutException("TLS handshake with " + route.name() + " timed out after "
                    + this.tlsHandshakeTimeoutMillis + " ms"), ex);
        }
        catch (IOException ex) {
            throw withCause(new SSLException("TLS handshake with " + route.name() + " failed: "
                    + ex.getMessage()), ex);
        }
    }

    /** A connect that timed out: names the route and the timeout. */
    static final class ConnectTimeoutException extends SocketTimeoutException {

        private static final long serialVersionUID = 1L;

        ConnectTimeoutException(String message) {
            super(message);
        }
    }

    private static <T extends IOException> T withCause(T ex, Throwable cause) {
        ex.initCause(cause);
        return ex;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException ignored) {
            // nothing more to release
        }
    }
}
