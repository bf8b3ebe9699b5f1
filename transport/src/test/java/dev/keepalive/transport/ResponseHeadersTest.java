package dev.keepalive.transport;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The response's {@link HttpHeaders}: a read-only, case-insensitive view of the headers as they came, in which
 * reading one header (what {@code RestClient} does to pick and size a converter) does not first build a set
 * of every header name.
 */
class ResponseHeadersTest {

    /** nginx's head for a static file, and a header that comes twice. */
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 05 Dec 2026 05:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 5\r\nLast-Modified: Sat, 05 Dec 2026 04:00:00 GMT\r\n"
            + "Connection: keep-alive\r\nETag: \"69326c50-5\"\r\nAccept-Ranges: bytes\r\nVary: Accept\r\n"
            + "vary: Origin\r\n\r\nhello";

    private RawPeer peer;
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.peer = RawPeer.answering(RESPONSE);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
        }
        finally {
            this.transport.close();
            this.peer.close();
        }
    }

    @Test
    void theHeadersAreACaseInsensitiveReadOnlyViewOfTheResponseHead() throws Exception {
        try (ClientHttpResponse response = this.factory.createRequest(this.peer.uri("/"), HttpMethod.GET).execute()) {
            HttpHeaders headers = response.getHeaders();
            assertThat(headers.getContentType()).isEqualTo(MediaType.TEXT_PLAIN);
            assertThat(headers.getContentLength()).isEqualTo(5);
            assertThat(headers.getFirst("etag")).isEqualTo("\"69326c50-5\"");
            assertThat(headers.get("VARY")).containsExactly("Accept", "Origin");
            assertThat(headers.getValuesAsList("Vary")).containsExactly("Accept", "Origin");
            assertThat(headers.containsHeader("accept-ranges")).isTrue();
            assertThat(headers.containsHeader("Transfer-Encoding")).isFalse();
            assertThat(headers.get("Transfer-Encoding")).isNull();
            assertThat(headers.getFirst("Transfer-Encoding")).isNull();
            assertThat(headers.isEmpty()).isFalse();
            // every name once, in the order it first came
            assertThat(headers.headerNames()).usingElementComparator(String.CASE_INSENSITIVE_ORDER).containsExactly("Server", "Date", "Content-Type", "Content-Length",
                    "Last-Modified", "Connection", "ETag", "Accept-Ranges", "Vary");
            assertThat(headers.size()).isEqualTo(9);
            assertThat(headers.toSingleValueMap()).containsEntry("Vary", "Accept").hasSize(9);
            assertThatExceptionOfType(UnsupportedOperationException.class)
                    .isThrownBy(() -> headers.add("X-Added", "1"));
            assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> headers.remove("Date"));
            assertThat(response.getBody().readAllBytes()).asString().isEqualTo("hello");
        }
    }

    @Test
    void readingTheTypeAndLengthOfABodyDoesNotCopyEveryHeaderName() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int warmUp = 2000;
        int measured = 2000;
        long allocated = 0;
        for (int i = 0; i < warmUp + measured; i++) {
            try (ClientHttpResponse response = this.factory.createRequest(this.peer.uri("/"), HttpMethod.GET)
                    .execute()) {
                long before = threads.getThreadAllocatedBytes(thread);
                HttpHeaders headers = response.getHeaders();
                MediaType type = headers.getContentType();
                long length = headers.getContentLength();
                long after = threads.getThreadAllocatedBytes(thread);
                assertThat(type).isEqualTo(MediaType.TEXT_PLAIN);
                assertThat(length).isEqualTo(5);
                if (i >= warmUp) {
                    allocated += after - before;
                }
                response.getBody().readAllBytes();
            }
        }
        // Spring's two wrappers and the view, about 100 bytes; a copy of the ten names into a case-insensitive
        // set costs about 1.8 KB.
        assertThat(allocated / measured).as("bytes allocated per response to read two headers")
                .isLessThan(256);
        assertThat(this.peer.accepted()).isEqualTo(1);
    }
}
