package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import dev.keepalive.transport.internal.pool.Route;
import dev.keepalive.transport.internal.proxy.HttpProxy;
import org.springframework.http.HttpStatus;

/**
 * Opens an HTTP {@code CONNECT} tunnel through a proxy to an {@code https} target, on a socket already
 * connected to the proxy. Any answer but 2xx (a {@code 407} included) refuses the tunnel: an error naming
 * the proxy (never its credentials) and the target, quoting none of the proxy's text.
 */
public final class ProxyTunnel {

    /** Most bytes of the proxy's answer head; a real one is a few hundred. */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    private ProxyTunnel() {
    }

    /**
     * Sends {@code CONNECT host:port} and reads the proxy's answer within {@code timeoutMillis}. On return
     * the socket carries bytes to and from the target; the caller closes it on failure.
     */
    static void open(Socket socket, Route route, long timeoutMillis) throws IOException {
        HttpProxy proxy = route.proxy();
        String target = route.hostPort();
        StringBuilder head = new StringBuilder(128).append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target).append("\r\n");
        if (proxy.authorization() != null) {
            head.append("Proxy-Authorization: ").append(proxy.authorization()).append("\r\n");
        }
        head.append("\r\n");
        socket.setSoTimeout((int) Math.min(Math.max(timeoutMillis, 0), Integer.MAX_VALUE));
        int status;
        try {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            status = readStatus(socket.getInputStream());
        }
        catch (SocketTimeoutException ex) {
            throw withCause(new SocketTimeoutException("Proxy " + proxy.name() + " did not answer CONNECT " + target
                    + " within " + timeoutMillis + " ms (connect-timeout), for " + route.name()), ex);
        }
        catch (IOException ex) {
            throw withCause(new IOException("Proxy " + proxy.name() + " failed while tunnelling to " + target + " for "
                    + route.name() + ": " + ex.getMessage()), ex);
        }
        if (status < 200 || status > 299) {
            throw new RefusedException(proxy, target, status);
        }
    }

    /** Reads the answer's head up to its blank line, byte by byte so that no byte of the tunnel is taken. */
    private static int readStatus(InputStream in) throws IOException {
        StringBuilder statusLine = new StringBuilder(32);
        boolean inStatusLine = true;
        int lineLength = 0;
        for (int total = 0; total < MAX_HEAD_BYTES; total++) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("the proxy closed the connection before answering");
            }
            if (b == '\n') {
                if (inStatusLine) {
                    inStatusLine = false;
                }
                else if (lineLength == 0) {
                    return statusOf(statusLine.toString().strip());
                }
                lineLength = 0;
            }
            else if (b != '\r') {
                lineLength++;
                if (inStatusLine) {
                    statusLine.append((char) b);
                }
            }
        }
        throw new IOException("the proxy's answer head is longer than " + MAX_HEAD_BYTES + " bytes");
    }

    private static int statusOf(String line) throws IOException {
        // "HTTP/1.1 200 Connection established": only the code is read; the proxy's text is never repeated.
        String[] parts = line.split(" ", 3);
        if (parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].length() == 3
                && parts[1].chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(parts[1]);
        }
        throw new IOException("the proxy's answer is not an HTTP status line");
    }

    private static <T extends IOException> T withCause(T ex, Throwable cause) {
        ex.initCause(cause);
        return ex;
    }

    /** The proxy answered CONNECT with something other than 2xx. */
    public static final class RefusedException extends IOException {

        private static final long serialVersionUID = 1L;

        private final int status;

        RefusedException(HttpProxy proxy, String target, int status) {
            super("Proxy " + proxy.name() + " refused the tunnel to " + target + ": " + describe(status));
            this.status = status;
        }

        int status() {
            return this.status;
        }

        private static String describe(int status) {
            HttpStatus known = HttpStatus.resolve(status);
            String text = status + (known != null ? " " + known.getReasonPhrase() : "");
            if (status == 407) {
                return text + " (the proxy wants credentials, or refused those in the proxy URL)";
            }
            return text;
        }
    }
}
