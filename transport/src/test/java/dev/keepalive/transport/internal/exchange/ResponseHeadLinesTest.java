package dev.keepalive.transport.internal.exchange;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Response heads read by {@link ResponseHeadLines} through HttpCore's own input buffer: HttpCore's rules, and
 * the headers of a head seen before on the connection handed back instead of made again.
 */
class ResponseHeadLinesTest {

    private static final String NGINX_HEAD = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 05 Dec 2026 04:40:00 GMT\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n"
            + "Last-Modified: Sat, 05 Dec 2026 04:00:00 GMT\r\nConnection: keep-alive\r\nETag: \"69326c50-64\"\r\n"
            + "Accept-Ranges: bytes\r\n\r\n";

    private final Http1Config config = Http1Config.custom().setMaxLineLength(64 * 1024).setMaxHeaderCount(500).build();
    private final ResponseHeadLines lines = new ResponseHeadLines(this.config);

    @Test
    void readsTheStatusLineAndEveryHeaderInOrder() throws Exception {
        ClassicHttpResponse response = read(NGINX_HEAD);
        assertThat(response.getCode()).isEqualTo(200);
        assertThat(response.getReasonPhrase()).isEqualTo("OK");
        assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(response.getHeaders()).extracting((h) -> h.getName() + "=" + h.getValue()).containsExactly(
                "Server=nginx", "Date=Sat, 05 Dec 2026 04:40:00 GMT", "Content-Type=application/octet-stream",
                "Content-Length=100", "Last-Modified=Sat, 05 Dec 2026 04:00:00 GMT", "Connection=keep-alive",
                "ETag=\"69326c50-64\"", "Accept-Ranges=bytes");
    }

    @Test
    void theSameHeadAgainHandsBackTheSameHeadersAndOnlyNewTextIsNew() throws Exception {
        ClassicHttpResponse first = read(NGINX_HEAD);
        ClassicHttpResponse second = read(NGINX_HEAD.replace("04:40:00", "04:40:01").replace("100", "200"));

        assertThat(second.getFirstHeader("Server")).isSameAs(first.getFirstHeader("Server"));
        assertThat(second.getFirstHeader("ETag")).isSameAs(first.getFirstHeader("ETag"));
        assertThat(second.getFirstHeader("Date").getValue()).isEqualTo("Sat, 05 Dec 2026 04:40:01 GMT");
        assertThat(second.getFirstHeader("Date").getName()).as("a known name is not made again")
                .isSameAs(first.getFirstHeader("Date").getName());
        assertThat(second.getFirstHeader("Content-Length").getValue()).isEqualTo("200");
        assertThat(first.getFirstHeader("Content-Length").getValue()).as("the first response is unchanged")
                .isEqualTo("100");
    }

    @Test
    void aHeadSeenBeforeCostsLittleMemory() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        byte[] head = NGINX_HEAD.getBytes(StandardCharsets.US_ASCII);
        SessionInputBufferImpl buffer = new SessionInputBufferImpl(32 * 1024, 64 * 1024);
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 2000; i++) {
            InputStream in = new ByteArrayInputStream(head);
            long before = threads.getThreadAllocatedBytes(thread);
            this.lines.read(buffer, in);
            least = Math.min(least, threads.getThreadAllocatedBytes(thread) - before);
        }
        // The response and its header list; HttpCore's own parser takes over 2 KB for these eight lines.
        assertThat(least).as("bytes allocated to read a head seen before").isLessThan(600);
    }

    @Test
    void setCookieIsNeverKeptForTheNextResponse() throws Exception {
        String head = "HTTP/1.1 200 OK\r\nSet-Cookie: session=s3cr3t\r\n\r\n";
        ClassicHttpResponse first = read(head);
        ClassicHttpResponse second = read(head);
        assertThat(second.getFirstHeader("Set-Cookie").getValue()).isEqualTo("session=s3cr3t");
        assertThat(second.getFirstHeader("Set-Cookie")).isNotSameAs(first.getFirstHeader("Set-Cookie"));
    }

    @Test
    void aFoldedLineContinuesTheHeaderBeforeItWithOneSpace() throws Exception {
        ClassicHttpResponse response = read("HTTP/1.1 200 OK\r\nX-Long: one\r\n \t two\r\n\tthree\r\nX-Next: n\r\n\r\n");
        assertThat(response.getFirstHeader("X-Long").getValue()).isEqualTo("one two three");
        assertThat(response.getFirstHeader("X-Next").getValue()).isEqualTo("n");
        assertThat(response.getHeaders()).hasSize(2);
    }

    @Test
    void valuesAreTrimmedAndEmptyValuesKept() throws Exception {
        ClassicHttpResponse response = read("HTTP/1.1 204 No Content\r\n  X-A:   a b  \r\nX-Empty:\r\n\r\n");
        assertThat(response.getFirstHeader("X-A").getValue()).isEqualTo("a b");
        assertThat(response.getFirstHeader("X-Empty").getValue()).isEmpty();
        assertThat(response.getReasonPhrase()).isEqualTo("No Content");
    }

    @Test
    void emptyLinesBeforeTheStatusLineAreSkippedUpToTheLimit() throws Exception {
        assertThat(read("\r\n\r\nHTTP/1.1 200 OK\r\n\r\n").getCode()).isEqualTo(200);
        assertThatExceptionOfType(MessageConstraintException.class)
                .isThrownBy(() -> read("\r\n".repeat(10) + "HTTP/1.1 200 OK\r\n\r\n"))
                .withMessageContaining("empty line");
    }

    @Test
    void aConnectionThatEndsBeforeAStatusLineIsNoResponse() {
        assertThatExceptionOfType(NoHttpResponseException.class).isThrownBy(() -> read(""));
    }

    @Test
    void aMalformedStatusLineIsAProtocolError() {
        assertThatExceptionOfType(ParseException.class).isThrownBy(() -> read("garbage\r\n\r\n"));
    }

    @Test
    void aHeaderLineWithoutANameOrWithBlankBeforeTheColonIsRefusedWithoutQuotingIt() {
        for (String bad : new String[] { "no colon s3cr3t", ": s3cr3t", "Name : s3cr3t", " \t: s3cr3t" }) {
            assertThatExceptionOfType(ParseException.class).as(bad)
                    .isThrownBy(() -> read("HTTP/1.1 200 OK\r\n" + bad + "\r\nX-Ok: 1\r\n\r\n"))
                    .withMessageContaining("Invalid response header line")
                    .withMessageNotContaining("s3cr3t");
        }
    }

    @Test
    void headerCountAndFoldedLengthAreLimited() {
        ResponseHeadLines small = new ResponseHeadLines(
                Http1Config.custom().setMaxHeaderCount(3).setMaxLineLength(20).build());
        assertThatExceptionOfType(MessageConstraintException.class)
                .isThrownBy(() -> read(small, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"))
                .withMessageContaining("header count");
        assertThatExceptionOfType(MessageConstraintException.class)
                .isThrownBy(() -> read(small, "HTTP/1.1 200 OK\r\nA: 0123456789\r\n 0123456789\r\n\r\n"))
                .withMessageContaining("line length");
    }

    private ClassicHttpResponse read(String head) throws Exception {
        return read(this.lines, head);
    }

    private static ClassicHttpResponse read(ResponseHeadLines lines, String head) throws Exception {
        SessionInputBufferImpl buffer = new SessionInputBufferImpl(8192, 64 * 1024);
        return lines.read(buffer, new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)));
    }
}
