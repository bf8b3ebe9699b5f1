package dev.keepalive.transport.internal.exchange;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.FormattedHeader;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Whether the connection may carry another request after this response: HttpCore's
 * {@link DefaultConnectionReuseStrategy}, which owns the rules. Only its most common "yes" is answered here
 * first: an HTTP/1.1 response with one {@code Content-Length}, no {@code Transfer-Encoding} and no
 * {@code Connection} header but at most a lone {@code keep-alive} (nginx's), to a request without a
 * {@code Connection} header. HttpCore reaches the same answer through two header iterators, a token iterator
 * and a new string per token (about 200 bytes per request); everything else goes to it.
 */
final class KeepAliveCheck {

    private static final String KEEP_ALIVE = "keep-alive";

    private KeepAliveCheck() {
    }

    static boolean keepAlive(ClassicHttpRequest request, HttpResponse response, HttpContext context) {
        if (plainKeepAlive(request, response)) {
            return true;
        }
        return DefaultConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context);
    }

    /** The case in which HttpCore's strategy says yes without a doubt; false means "ask it". */
    private static boolean plainKeepAlive(ClassicHttpRequest request, HttpResponse response) {
        if (!HttpVersion.HTTP_1_1.equals(response.getVersion()) || response.getCode() == HttpStatus.SC_NO_CONTENT
                || request.containsHeader("Connection") || request.containsHeader("Transfer-Encoding")
                || response.containsHeader("Transfer-Encoding") || response.countHeaders("Content-Length") != 1) {
            return false;
        }
        Header connection = response.getFirstHeader("Connection");
        if (connection == null) {
            return !response.containsHeader("Proxy-Connection");
        }
        return response.countHeaders("Connection") == 1 && isKeepAlive(connection);
    }

    /** Whether the header's whole value is {@code keep-alive}, in any case; read in place when it can be. */
    private static boolean isKeepAlive(Header header) {
        CharSequence text;
        int from;
        if (header instanceof FormattedHeader formatted) {
            text = formatted.getBuffer();
            from = formatted.getValuePos();
        }
        else {
            text = header.getValue();
            from = 0;
            if (text == null) {
                return false;
            }
        }
        int to = text.length();
        while (from < to && isBlank(text.charAt(from))) {
            from++;
        }
        while (to > from && isBlank(text.charAt(to - 1))) {
            to--;
        }
        if (to - from != KEEP_ALIVE.length()) {
            return false;
        }
        for (int i = 0; i < KEEP_ALIVE.length(); i++) {
            if (Character.toLowerCase(text.charAt(from + i)) != KEEP_ALIVE.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
