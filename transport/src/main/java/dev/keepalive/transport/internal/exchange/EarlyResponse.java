package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.ResponseOutOfOrderStrategy;
import org.apache.hc.core5.util.Timeout;

/**
 * Notices a response that arrives while the request body is still being written: a server that answers
 * 413 (or anything) to a large upload without reading it. Without this the client would block in a write
 * that no timeout bounds until the server closes, if ever; with it HttpCore stops sending, reads the
 * response and hands it to the caller, as Go returns such a response. The connection is then not reused
 * (the server never got the whole body). Request bodies are written in {@link #SLICE}-byte writes so that
 * a check comes before every one.
 *
 * <p>Plain sockets are checked before every write with {@code available()}, which costs next to nothing.
 * TLS hides received records until they are read, so there the check reads for up to 1 ms every
 * {@link #TLS_PROBE} bytes (HttpCore's own monitor does that every 8 KiB, capping uploads at 8 MiB/s).
 * Trade-off: a server that streams its answer while it still reads a body larger than a slice (full-duplex
 * HTTP/1.1, which Spring's clients do not use) gets the body cut short.
 */
final class EarlyResponse implements ResponseOutOfOrderStrategy {

    static final EarlyResponse INSTANCE = new EarlyResponse();

    /** Largest single write of a request body. */
    static final int SLICE = 64 * 1024;

    /** How often a TLS connection is probed. */
    static final long TLS_PROBE = 1024 * 1024;

    private EarlyResponse() {
    }

    @Override
    public boolean isEarlyResponseDetected(ClassicHttpRequest request, HttpClientConnection connection,
            InputStream socketIn, long totalBytesSent, long nextWriteSize) throws IOException {
        boolean early;
        if (connection.getSSLSession() == null) {
            early = socketIn.available() > 0;
        }
        else {
            early = totalBytesSent / TLS_PROBE != (totalBytesSent + nextWriteSize) / TLS_PROBE
                    && connection.isDataAvailable(Timeout.ONE_MILLISECOND);
        }
        if (early) {
            ResponseHeadParser.earlyResponse();
        }
        return early;
    }

}
