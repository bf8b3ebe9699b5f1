package dev.keepalive.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLException;

import org.apache.hc.core5.http.HttpException;

/**
 * Turns low-level failures into exceptions whose message says what was being done, to which route, and
 * why, keeping the type callers may test for (timeouts, unknown hosts, TLS errors).
 */
final class Failures {

    private Failures() {
    }

    static IOException describe(String what, Throwable cause) {
        String message = what + ": " + reason(cause);
        IOException described;
        if (cause instanceof SocketTimeoutException) {
            described = new SocketTimeoutException(message);
        }
        else if (cause instanceof InterruptedIOException) {
            described = new InterruptedIOException(message);
        }
        else if (cause instanceof UnknownHostException) {
            described = new UnknownHostException(message);
        }
        else if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            described = new ConnectException(message);
        }
        else if (cause instanceof SSLException) {
            described = new SSLException(message);
        }
        else {
            described = new IOException(message);
        }
        described.initCause(cause);
        return described;
    }

    private static String reason(Throwable cause) {
        String type = cause instanceof HttpException ? "malformed response" : cause.getClass().getSimpleName();
        return cause.getMessage() == null ? type : type + " (" + cause.getMessage() + ")";
    }
}
