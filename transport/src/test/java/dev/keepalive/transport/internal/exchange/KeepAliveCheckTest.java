package dev.keepalive.transport.internal.exchange;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The reuse decision: HttpCore's answer in every case, and nginx's plain keep-alive read without allocating. */
class KeepAliveCheckTest {

    private static final String[][] CONNECTION = { {}, { "keep-alive" }, { " Keep-Alive " }, { "close" },
            { "keep-alive, close" }, { "keep-alive", "close" }, { "keep-alive", "keep-alive" }, { "upgrade" },
            { "" }, { "keep-alive;x" } };

    @Test
    void answersAsHttpCoresStrategyInEveryCase() throws Exception {
        int cases = 0;
        int yes = 0;
        for (ProtocolVersion version : new ProtocolVersion[] { HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0 }) {
            for (int code : new int[] { 200, 204, 304 }) {
                for (String method : new String[] { "GET", "HEAD" }) {
                    for (String[] connection : CONNECTION) {
                        for (String[] length : new String[][] { {}, { "5" }, { "5", "5" }, { "0" } }) {
                            for (boolean chunked : new boolean[] { false, true }) {
                                for (boolean proxyClose : new boolean[] { false, true }) {
                                    for (String requestConnection : new String[] { null, "close", "keep-alive" }) {
                                        String head = head(version, code, connection, length, chunked, proxyClose);
                                        ClassicHttpRequest request = new BasicClassicHttpRequest(method, "/");
                                        if (requestConnection != null) {
                                            request.addHeader("Connection", requestConnection);
                                        }
                                        for (ClassicHttpResponse response : List.of(parsed(head), built(head))) {
                                            boolean expected = DefaultConnectionReuseStrategy.INSTANCE
                                                    .keepAlive(request, response, HttpCoreContext.create());
                                            assertThat(KeepAliveCheck.keepAlive(request, response,
                                                    HttpCoreContext.create())).as(method + " " + requestConnection
                                                            + "\n" + head).isEqualTo(expected);
                                            cases++;
                                            yes += expected ? 1 : 0;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(yes).isPositive().isLessThan(cases);
    }

    @Test
    void nginxsKeepAliveIsReadWithoutAllocating() throws Exception {
        String head = head(HttpVersion.HTTP_1_1, 200, new String[] { "keep-alive" }, new String[] { "100" }, false,
                false);
        ClassicHttpRequest request = new BasicClassicHttpRequest("GET", "/small.txt");
        request.addHeader("Host", "127.0.0.1");
        ClassicHttpResponse response = parsed(head);
        HttpCoreContext context = HttpCoreContext.create();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int checks = 20_000;
        long before = threads.getThreadAllocatedBytes(thread);
        int kept = 0;
        for (int i = 0; i < checks; i++) {
            kept += DefaultConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context) ? 1 : 0;
        }
        long httpCore = (threads.getThreadAllocatedBytes(thread) - before) / checks;
        before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < checks; i++) {
            kept += KeepAliveCheck.keepAlive(request, response, context) ? 1 : 0;
        }
        long ours = (threads.getThreadAllocatedBytes(thread) - before) / checks;
        assertThat(kept).isEqualTo(2 * checks);
        assertThat(httpCore).as("HttpCore's strategy, for comparison").isGreaterThan(100);
        assertThat(ours).isZero();
    }

    private static String head(ProtocolVersion version, int code, String[] connection, String[] length,
            boolean chunked, boolean proxyClose) {
        StringBuilder head = new StringBuilder(version.format()).append(' ').append(code).append(" X\r\n");
        head.append("Server: nginx\r\n");
        for (String value : length) {
            head.append("Content-Length: ").append(value).append("\r\n");
        }
        if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        for (String value : connection) {
            head.append("Connection: ").append(value).append("\r\n");
        }
        if (proxyClose) {
            head.append("Proxy-Connection: close\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** As the transport's parser makes it: lazily parsed header lines. */
    private static ClassicHttpResponse parsed(String head) throws Exception {
        byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        return new DefaultHttpResponseParser().parse(new SessionInputBufferImpl(1024),
                new java.io.ByteArrayInputStream(bytes));
    }

    /** The same head with plain headers, as code that builds a response makes it. */
    private static ClassicHttpResponse built(String head) throws Exception {
        ClassicHttpResponse parsed = parsed(head);
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(parsed.getCode(), parsed.getReasonPhrase());
        response.setVersion(parsed.getVersion());
        List<Header> headers = new ArrayList<>();
        for (Header header : parsed.getHeaders()) {
            headers.add(new BasicHeader(header.getName(), header.getValue()));
        }
        response.setHeaders(headers.toArray(new Header[0]));
        return response;
    }
}
