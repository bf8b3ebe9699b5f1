package dev.keepalive.transport.internal.exchange;

import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.message.BasicLineFormatter;
import org.apache.hc.core5.http.message.RequestLine;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * HttpCore's line formatter, except that an HTTP/1.1 request line ends with a constant: HttpCore formats the
 * version of every request into a new string through a {@code StringBuilder} (about 100 bytes per request).
 * Header lines are formatted by HttpCore as before.
 */
final class RequestLineFormatter extends BasicLineFormatter {

    static final RequestLineFormatter INSTANCE = new RequestLineFormatter();

    private static final String HTTP_1_1 = HttpVersion.HTTP_1_1.format();

    private RequestLineFormatter() {
    }

    @Override
    public void formatRequestLine(CharArrayBuffer buffer, RequestLine line) {
        if (buffer == null || line == null || !HttpVersion.HTTP_1_1.equals(line.getProtocolVersion())) {
            super.formatRequestLine(buffer, line); // and its checks
            return;
        }
        buffer.append(line.getMethod());
        buffer.append(' ');
        buffer.append(line.getUri());
        buffer.append(' ');
        buffer.append(HTTP_1_1);
    }
}
