package dev.keepalive.transport.internal.body;

import dev.keepalive.transport.KeepAliveSettings;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.springframework.http.HttpHeaders;

/**
 * Design §3 rule 19, as Go's Transport does it: a request whose application set no {@code Accept-Encoding}
 * asks for {@code gzip}, and a gzip response to it is decoded ({@link GzipBody}) and shown without
 * {@code Content-Encoding} and {@code Content-Length}, which describe the bytes on the wire, not the ones the
 * application reads. An application that sets its own {@code Accept-Encoding} gets the body as sent.
 *
 * <p>Like Go, a {@code HEAD} (whose {@code Content-Length} would describe a body nobody decodes) and a
 * {@code Range} request (whose offsets would count compressed bytes) do not ask. A response without a body
 * (204, 304, or an empty one) that says {@code gzip} to a request that asked is shown without the two headers
 * too, so that the application never sees an encoding it did not ask for.
 */
public final class Compression {

    /** Immutable, so one instance serves every request. */
    public static final Header ACCEPT_GZIP = new BasicHeader("Accept-Encoding", "gzip");

    private Compression() {
    }

    /** Whether the transport asks for gzip on this request (and so decodes the answer). */
    public static boolean asks(KeepAliveSettings settings, String method, HttpHeaders headers) {
        // Lower-case names: the case-insensitive lookup then allocates no lower-cased copy per request.
        return !settings.disableCompression() && !"HEAD".equals(method) && !headers.containsHeader("accept-encoding")
                && !headers.containsHeader("range");
    }

    /** Whether {@code response} is gzip-encoded as a whole ({@code x-gzip} is the same, RFC 9110 §8.4.1.3). */
    public static boolean isGzip(ClassicHttpResponse response) {
        Header encoding = response.getFirstHeader("Content-Encoding");
        if (encoding == null || encoding.getValue() == null) {
            return false;
        }
        String value = encoding.getValue().trim();
        return value.equalsIgnoreCase("gzip") || value.equalsIgnoreCase("x-gzip");
    }

    /** Removes the headers that describe the encoded bytes, once the body's length has been taken from them. */
    public static void hideEncoding(ClassicHttpResponse response) {
        response.removeHeaders("Content-Encoding");
        response.removeHeaders("Content-Length");
    }
}
