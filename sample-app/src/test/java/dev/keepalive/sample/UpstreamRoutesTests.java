package dev.keepalive.sample;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream routes the demos call by default: sized bodies with a length or chunked, and a slow one.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class UpstreamRoutesTests {

    @LocalServerPort
    private int port;

    private SampleHttp http;

    @BeforeEach
    void client() {
        this.http = new SampleHttp(this.port);
    }

    @Test
    void bytesHasAContentLength() throws Exception {
        HttpResponse<String> response = this.http.get("/upstream/bytes/20000");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).hasValue("20000");
        assertThat(response.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(response.body()).hasSize(20000).startsWith("keepalive\nkeepalive\n");
    }

    @Test
    void chunkedHasNoLength() throws Exception {
        HttpResponse<String> response = this.http.get("/upstream/chunked/20000");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.body()).hasSize(20000);
    }

    @Test
    void aSmallChunkedBodyIsChunkedToo() throws Exception {
        HttpResponse<String> response = this.http.get("/upstream/chunked/10");
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(response.body()).isEqualTo("keepalive\n");
    }

    @Test
    void slowWaitsBeforeAnswering() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = this.http.get("/upstream/slow/300");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("waited 300 ms\n");
    }

    @Test
    void sizesAndDelaysAreBounded() throws Exception {
        assertThat(this.http.get("/upstream/bytes/-1").statusCode()).isEqualTo(400);
        assertThat(this.http.get("/upstream/bytes/" + (UpstreamController.MAX_BYTES + 1)).statusCode()).isEqualTo(400);
        assertThat(this.http.get("/upstream/slow/" + (UpstreamController.MAX_DELAY_MILLIS + 1)).statusCode())
            .isEqualTo(400);
    }

}
