package dev.keepalive.transport.internal.exchange;

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

    static IOException describe(String what, Throwable original) {
        Throwable cause = withoutPeerText(original);
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

    /**
     * Apache quotes the offending bytes in its protocol errors ("Invalid header: <X-Token s3cr3t>",
     * "Invalid header; error at offset 3: …", "Invalid content length: …", "Unsupported transfer encoding:
     * …", "Bad chunk header: …"); those bytes can be header values, which must never reach a message or a
     * log. Such a cause is replaced by one of the same kind and stack with only the text before the quote.
     */
    static Throwable withoutPeerText(Throwable cause) {
        String message = cause.getMessage();
        if (message == null) {
            return cause;
        }
        int cut = -1;
        if (cause instanceof HttpException) {
            // Every HttpException from the wire is about the peer's bytes: keep the description only.
            int colon = message.indexOf(':');
            int semicolon = message.indexOf(';');
            cut = colon < 0 ? semicolon : semicolon < 0 ? colon : Math.min(colon, semicolon);
        }
        else if (message.startsWith("Bad chunk header") || message.startsWith("Invalid trailing header")) {
            cut = message.indexOf(':');
        }
        if (cut < 0) {
            return cause;
        }
        String kept = message.substring(0, cut);
        Throwable clean = cause instanceof org.apache.hc.core5.http.MalformedChunkCodingException
                ? new org.apache.hc.core5.http.MalformedChunkCodingException(kept)
                : cause instanceof IOException ? new IOException(kept) : new org.apache.hc.core5.http.ProtocolException(kept);
        clean.setStackTrace(cause.getStackTrace());
        return clean;
    }

    private static String reason(Throwable cause) {
        String type = cause instanceof HttpException ? "malformed response" : cause.getClass().getSimpleName();
        return cause.getMessage() == null ? type : type + " (" + cause.getMessage() + ")";
    }
}
