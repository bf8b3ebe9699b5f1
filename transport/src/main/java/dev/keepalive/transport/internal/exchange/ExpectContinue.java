package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.message.MessageSupport;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.Timeout;

/**
 * Design §3 rule 20: a request that carries {@code Expect: 100-continue} (set by the application) and a
 * body sends its head, then waits up to {@code expect-continue-timeout} for the server. On {@code 100
 * Continue}, or on silence, it sends the body; a final response that comes first is returned without the
 * body being sent (Go waits the same way; HttpCore's own handling would still send a body of up to 1 KiB, or
 * a whole body after a 2xx, so it is not used for these requests). A zero timeout, or a body known to be
 * empty, sends the body at once.
 *
 * <p>A withheld body leaves the server expecting bytes that will never come, unless the stream can still
 * be completed without sending any content:
 * <ul>
 * <li>{@code Content-Length: N > 0}: only N bytes complete the request, so the connection is not reused
 * (recorded as an early response, which {@link Exchange} never keeps). A server that keeps the connection
 * after such an answer reads the next N bytes as the body (RFC 9110 §10.1.1), so the next request would be
 * eaten; there is no header by which a server promises it skipped the body instead.</li>
 * <li>chunked: the zero-length last chunk completes the request with no content, so when the server keeps
 * the connection it stays in step and is reused. When the server says {@code Connection: close} nothing is
 * written at all.</li>
 * </ul>
 */
final class ExpectContinue {

    private ExpectContinue() {
    }

    /** Whether {@code request} has a body and asks the server for {@code 100 Continue}. */
    static boolean applies(ClassicHttpRequest request) {
        if (request.getEntity() == null) {
            return false;
        }
        Header expect = request.getFirstHeader("Expect");
        return expect != null && expect.getValue() != null && expect.getValue().trim().equalsIgnoreCase("100-continue");
    }

    /** Runs the exchange on {@code connection}, reading the final response's head and framing its body. */
    static ClassicHttpResponse execute(ClassicHttpRequest request, HttpClientConnection connection, Duration timeout)
            throws IOException, HttpException {
        HttpEntity entity = request.getEntity();
        connection.sendRequestHeader(request);
        connection.flush();
        ClassicHttpResponse response = null;
        if (entity.getContentLength() != 0 && !timeout.isZero()) {
            response = awaitVerdict(connection, TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeout.toMillis())));
        }
        if (response == null) {
            connection.sendRequestEntity(request);
            connection.flush();
            ResponseHeadParser.requestWritten();
            response = receiveFinal(connection);
        }
        else {
            withhold(request, response, connection);
        }
        if (MessageSupport.canResponseHaveBody(request.getMethod(), response)) {
            connection.receiveResponseEntity(response);
        }
        return response;
    }

    /**
     * Waits for {@code 100 Continue} (returns null: send the body), silence until the deadline (null too), or a
     * final response (returned: the body is withheld). Other interim responses are skipped within the deadline.
     */
    private static ClassicHttpResponse awaitVerdict(HttpClientConnection connection, long timeoutNanos)
            throws IOException, HttpException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !connection.isDataAvailable(Timeout.ofMilliseconds(
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))))) {
                return null;
            }
            ClassicHttpResponse head = connection.receiveResponseHeader();
            int code = head.getCode();
            if (code == HttpStatus.SC_CONTINUE) {
                return null;
            }
            if (isFinal(code)) {
                return head;
            }
        }
    }

    private static ClassicHttpResponse receiveFinal(HttpClientConnection connection) throws IOException, HttpException {
        while (true) {
            ClassicHttpResponse head = connection.receiveResponseHeader();
            if (isFinal(head.getCode())) {
                return head;
            }
        }
    }

    /** 101 ends the exchange as a final response does (Go treats it so too); other 1xx are interim. */
    private static boolean isFinal(int code) {
        return code >= HttpStatus.SC_SUCCESS || code == HttpStatus.SC_SWITCHING_PROTOCOLS;
    }

    private static void withhold(ClassicHttpRequest request, ClassicHttpResponse response,
            HttpClientConnection connection) {
        boolean chunked = request.getEntity().getContentLength() < 0;
        if (chunked && KeepAliveCheck.keepAlive(request, response, HttpCoreContext.create())) {
            try {
                // Closes the chunked body at once: "0\r\n\r\n", no content.
                connection.terminateRequest(request);
                connection.flush();
                return;
            }
            catch (IOException | HttpException | RuntimeException ex) {
                // The server stopped reading; the response in hand is still the answer, the connection is done.
            }
        }
        ResponseHeadParser.earlyResponse();
    }
}
