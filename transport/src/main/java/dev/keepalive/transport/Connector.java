package dev.keepalive.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens the socket of a new pooled connection: DNS, TCP connect (each resolved address in turn), and for
 * {@code https} the TLS handshake with host-name verification, then binds it to Apache's connection.
 * Failures name the route and what failed; a failed attempt never leaves a socket open.
 */
final class Connector {

    private final long tlsHandshakeTimeoutMillis;

    Connector(KeepAliveSettings settings) {
        this.tlsHandshakeTimeoutMillis = settings.tlsHandshakeTimeout().toMillis();
    }

    void connect(PooledConnection conn, long connectTimeoutMillis) throws IOException {
        Route route = conn.route;
        Socket socket = openSocket(route, connectTimeoutMillis);
        try {
            if (route.secure()) {
                SSLSocket tls = handshake(socket, route);
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

    private static Socket openSocket(Route route, long timeoutMillis) throws IOException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(route.host());
        }
        catch (UnknownHostException ex) {
            throw withCause(new UnknownHostException("Unknown host " + route.host() + " for " + route.name()), ex);
        }
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(new InetSocketAddress(address, route.port()), (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
                return socket;
            }
            catch (SocketTimeoutException ex) {
                closeQuietly(socket);
                last = withCause(new ConnectTimeoutException("Connect to " + route.name() + " (" + address.getHostAddress()
                        + ") timed out after " + timeoutMillis + " ms"), ex);
            }
            catch (IOException ex) {
                closeQuietly(socket);
                last = withCause(new ConnectException("Connect to " + route.name() + " (" + address.getHostAddress()
                        + ") failed: " + ex.getMessage()), ex);
            }
        }
        throw last;
    }

    private SSLSocket handshake(Socket socket, Route route) throws IOException {
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
            throw withCause(new javax.net.ssl.SSLException("TLS handshake with " + route.name() + " failed: "
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
