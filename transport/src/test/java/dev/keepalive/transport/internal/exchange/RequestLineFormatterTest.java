package dev.keepalive.transport.internal.exchange;

import java.lang.management.ManagementFactory;

import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.message.BasicLineFormatter;
import org.apache.hc.core5.http.message.LineFormatter;
import org.apache.hc.core5.http.message.RequestLine;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** The request line as HttpCore writes it, without a new string per request for the version. */
class RequestLineFormatterTest {

    @Test
    void writesTheSameLineAsHttpCoreForEveryVersion() {
        for (ProtocolVersion version : new ProtocolVersion[] { HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0,
                HttpVersion.HTTP_2_0, new ProtocolVersion("HTTP", 1, 1) }) {
            RequestLine line = new RequestLine("GET", "/a/b?c=d", version);
            assertThat(format(RequestLineFormatter.INSTANCE, line)).isEqualTo(format(BasicLineFormatter.INSTANCE, line));
        }
        assertThat(format(RequestLineFormatter.INSTANCE, new RequestLine("POST", "/x", HttpVersion.HTTP_1_1)))
                .isEqualTo("POST /x HTTP/1.1");
        assertThatNullPointerException().isThrownBy(() -> RequestLineFormatter.INSTANCE
                .formatRequestLine(new CharArrayBuffer(8), null)).withMessageContaining("Request line");
    }

    @Test
    void anHttp11RequestLineAllocatesNothing() {
        RequestLine line = new RequestLine("GET", "/small.txt", HttpVersion.HTTP_1_1);
        assertThat(bytesPerLine(BasicLineFormatter.INSTANCE, line)).as("HttpCore's formatter, for comparison")
                .isGreaterThan(50);
        assertThat(bytesPerLine(RequestLineFormatter.INSTANCE, line)).isZero();
    }

    private static String format(LineFormatter formatter, RequestLine line) {
        CharArrayBuffer buffer = new CharArrayBuffer(64);
        formatter.formatRequestLine(buffer, line);
        return buffer.toString();
    }

    private static long bytesPerLine(LineFormatter formatter, RequestLine line) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        CharArrayBuffer buffer = new CharArrayBuffer(64);
        int lines = 20_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < lines; i++) {
            buffer.clear();
            formatter.formatRequestLine(buffer, line);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(buffer.length()).isEqualTo(line.getMethod().length() + line.getUri().length() + 10);
        return allocated / lines;
    }
}
