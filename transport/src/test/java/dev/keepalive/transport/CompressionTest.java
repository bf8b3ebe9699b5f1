package dev.keepalive.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import dev.keepalive.transport.internal.body.GzipBody;
import dev.keepalive.transport.internal.body.Inflation;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Design §3 rule 19: gzip asked for and decoded transparently, as Go's Transport does; the connection is
 * released at the decoded EOF (rule 7) and drained by wire bytes (rule 8); a corrupt or truncated stream
 * fails and its connection is not reused.
 */
class CompressionTest {

    private static final String TEXT = "{\"greeting\":\"hello, compressed world\"}".repeat(200);

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        useSettings(KeepAliveSettings.builder());
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertBalanced(this.transport);
            assertThat(this.transport.bodies().open()).isZero();
        }
        finally {
            this.transport.close();
            this.server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void restClientSeesTheDecodedBodyWithoutEncodingHeadersAndTheConnectionIsReused(boolean chunked) throws Exception {
        this.server.enqueue(gzipResponse(TEXT, chunked));
        this.server.enqueue(gzipResponse("second", chunked));
        RestClient client = RestClient.builder().requestFactory(this.factory).build();

        ResponseEntity<String> first = client.get().uri(uri("/a")).retrieve().toEntity(String.class);
        ResponseEntity<String> second = client.get().uri(uri("/b")).retrieve().toEntity(String.class);

        assertThat(first.getBody()).isEqualTo(TEXT);
        assertThat(second.getBody()).isEqualTo("second");
        assertThat(first.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
        assertThat(first.getHeaders().containsHeader(HttpHeaders.CONTENT_LENGTH)).isFalse();
        assertThat(first.getHeaders().getContentType()).hasToString("application/json");
        RecordedRequest request = this.server.takeRequest();
        assertThat(request.getHeaders().get("Accept-Encoding")).isEqualTo("gzip");
        assertThat(request.getConnectionIndex()).isZero();
        assertThat(this.server.takeRequest().getConnectionIndex()).as("the connection is reused").isZero();
        assertThat(this.transport.pool().opened()).isEqualTo(1);
        assertThat(this.transport.bodies().eof()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void restTemplateSeesTheDecodedBody(boolean chunked) {
        this.server.enqueue(gzipResponse(TEXT, chunked));

        ResponseEntity<String> response = new RestTemplate(this.factory).getForEntity(uri("/a"), String.class);

        assertThat(response.getBody()).isEqualTo(TEXT);
        assertThat(response.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
        assertThat(response.getHeaders().containsHeader(HttpHeaders.CONTENT_LENGTH)).isFalse();
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    /** Rule 7: the connection goes back when the decoded stream says EOF, before and without a close. */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void decodedEofReleasesTheConnectionAtOnce(boolean chunked) throws Exception {
        this.server.enqueue(gzipResponse(TEXT, chunked));

        try (ClientHttpResponse response = this.factory.createRequest(uri("/a"), HttpMethod.GET).execute()) {
            InputStream body = response.getBody();
            byte[] all = body.readAllBytes();
            assertThat(new String(all, StandardCharsets.UTF_8)).isEqualTo(TEXT);
            assertThat(this.transport.pool().active()).as("released at the decoded EOF, before close").isZero();
            assertThat(this.transport.pool().idle()).isEqualTo(1);
            assertThat(body.read()).isEqualTo(-1);
        }
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    @Test
    void severalGzipMembersAreOneBody() throws Exception {
        byte[] wire = concat(gzip("first member, "), gzip("second member"));
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(wire)).build());

        assertThat(get("/a")).isEqualTo("first member, second member");
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    /** Go reads a body with no byte at all as empty, not as a broken gzip stream. */
    @Test
    void emptyChunkedBodySayingGzipIsEmpty() throws Exception {
        try (RawPeer peer = RawPeer.answering(
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) {
            for (int i = 0; i < 2; i++) {
                try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/empty"), HttpMethod.GET)
                        .execute()) {
                    assertThat(response.getBody().readAllBytes()).isEmpty();
                }
            }
            assertThat(peer.accepted()).as("the connection is reused").isEqualTo(1);
            assertThat(this.transport.bodies().eof()).isEqualTo(2);
        }
    }

    /** RFC 9110 §8.4.1.3: x-gzip is gzip. */
    @Test
    void xGzipIsDecodedToo() throws Exception {
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "x-gzip")
                .body(new Buffer().write(gzip(TEXT))).build());

        try (ClientHttpResponse response = this.factory.createRequest(uri("/a"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).asString().isEqualTo(TEXT);
            assertThat(response.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
        }
    }

    @Test
    void applicationsOwnAcceptEncodingPassesTheBodyThroughUntouched() throws Exception {
        byte[] wire = gzip(TEXT);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(wire)).build());

        ResponseEntity<byte[]> response = RestClient.builder().requestFactory(this.factory).build().get()
                .uri(uri("/a")).header("Accept-Encoding", "gzip, br").retrieve().toEntity(byte[].class);

        assertThat(response.getBody()).isEqualTo(wire);
        assertThat(response.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
        assertThat(response.getHeaders().getContentLength()).isEqualTo(wire.length);
        assertThat(this.server.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("gzip, br");
    }

    @Test
    void disableCompressionAsksForNothingAndDecodesNothing() throws Exception {
        useSettings(KeepAliveSettings.builder().disableCompression(true));
        byte[] wire = gzip(TEXT);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(wire)).build());

        try (ClientHttpResponse response = this.factory.createRequest(uri("/a"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).isEqualTo(wire);
            assertThat(response.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
        }
        assertThat(this.server.takeRequest().getHeaders().get("Accept-Encoding")).isNull();
    }

    /**
     * Rule 8 counts wire bytes: 16 MiB of zeros are about 16 KiB of gzip, within a 64 KiB budget, although the
     * decoded rest is far over it.
     */
    @Test
    void earlyCloseDrainsWhenTheWireRestFitsTheBudget() throws Exception {
        useSettings(KeepAliveSettings.builder().drainMaxBytes(64 * 1024).drainTimeout(Duration.ofSeconds(5)));
        byte[] wire = gzip(new byte[16 * 1024 * 1024]);
        assertThat(wire.length).isBetween(12 * 1024, 64 * 1024);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(wire)).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        readOneByteThenClose();

        assertThat(this.transport.bodies().earlyCloseDrained()).isEqualTo(1);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        assertThat(get("/next")).isEqualTo("next");
        this.server.takeRequest();
        assertThat(this.server.takeRequest().getConnectionIndex()).as("the drained connection is reused").isZero();
    }

    /** 1 MiB of random bytes stays about 1 MiB in gzip: over the default 256 KiB budget, so it is discarded. */
    @Test
    void earlyCloseDiscardsWhenTheWireRestExceedsTheBudget() throws Exception {
        byte[] random = new byte[1024 * 1024];
        new Random(19).nextBytes(random);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(random))).build());

        readOneByteThenClose();

        assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.EARLY_CLOSE)).isEqualTo(1);
        assertThat(this.transport.pool().idle()).isZero();
    }

    @Test
    void corruptChecksumFailsNamingTheRouteAndTheConnectionIsNotReused() throws Exception {
        byte[] wire = gzip(TEXT);
        wire[wire.length - 8] ^= 0x55; // the CRC-32 of the trailer
        assertCorrupt(wire, "corrupt gzip body: CRC-32 mismatch");
    }

    @Test
    void corruptDeflateDataFails() throws Exception {
        byte[] wire = gzip(TEXT);
        Arrays.fill(wire, 10, 30, (byte) 0xff);
        assertCorrupt(wire, "corrupt gzip body: invalid deflate data");
    }

    @Test
    void bodyThatIsNotGzipFails() throws Exception {
        assertCorrupt("plain text, said to be gzip".getBytes(StandardCharsets.UTF_8), "not in gzip format");
    }

    @Test
    void trailingBytesAfterTheGzipStreamFail() throws Exception {
        assertCorrupt(concat(gzip(TEXT), "garbage".getBytes(StandardCharsets.UTF_8)), "not in gzip format");
    }

    /** A well-framed body (all its Content-Length arrived) whose gzip stream stops before its end. */
    @Test
    void truncatedGzipInAFramedBodyFails() throws Exception {
        byte[] wire = gzip(TEXT);
        assertCorrupt(Arrays.copyOf(wire, wire.length - 6), "gzip body truncated");
    }

    @Test
    void truncatedGzipInAChunkedBodyFails() throws Exception {
        byte[] wire = gzip(TEXT);
        byte[] cut = Arrays.copyOf(wire, wire.length / 2);
        String head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
        byte[] response = concat(head.getBytes(StandardCharsets.ISO_8859_1),
                (Integer.toHexString(cut.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1), cut,
                "\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertFailsAtPeer(response, "gzip body truncated");
    }

    /** A peer that announces all of {@code wire} as a gzip body, sends half of it and closes the connection. */
    private static RawPeer cuttingHalfway(byte[] wire) throws IOException {
        String head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + wire.length + "\r\n\r\n";
        return new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(concat(head.getBytes(StandardCharsets.ISO_8859_1), Arrays.copyOf(wire, wire.length / 2)));
            conn.close();
        });
    }

    /** A server cutting the connection inside the gzip stream is a body cut short (rule 9), as without gzip. */
    @Test
    void connectionCutInsideTheGzipStreamFails() throws Exception {
        try (RawPeer peer = cuttingHalfway(gzip(TEXT))) {
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/cut"), HttpMethod.GET).execute()) {
                assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                        .withMessageContaining(peer.route());
            }
            assertThat(this.transport.pool().idle()).isZero();
            assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
        }
    }

    @Test
    void headWithContentEncodingIsNotDecodedAndKeepsItsHeaders() throws Exception {
        try (RawPeer peer = RawPeer.answering(
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1234\r\n\r\n")) {
            for (int i = 0; i < 2; i++) {
                try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/head"), HttpMethod.HEAD)
                        .execute()) {
                    assertThat(response.getStatusCode().value()).isEqualTo(200);
                    assertThat(response.getBody().read()).isEqualTo(-1);
                    assertThat(response.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
                    assertThat(response.getHeaders().getContentLength()).isEqualTo(1234);
                }
            }
            // Like Go: a HEAD does not ask for gzip, so whatever the server says about the encoding is its own.
            assertThat(peer.received()).allSatisfy((r) -> assertThat(r.text()).doesNotContainIgnoringCase("accept-encoding"));
            assertThat(peer.accepted()).as("the connection is reused").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "204 No Content", "304 Not Modified" })
    void bodylessAnswerSayingGzipIsFineAndHidesTheEncoding(String status) throws Exception {
        try (RawPeer peer = RawPeer.answering(
                "HTTP/1.1 " + status + "\r\nContent-Encoding: gzip\r\nETag: \"v1\"\r\n\r\n")) {
            for (int i = 0; i < 2; i++) {
                try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/x"), HttpMethod.GET)
                        .execute()) {
                    assertThat(response.getStatusCode().value()).isEqualTo(Integer.parseInt(status.substring(0, 3)));
                    assertThat(response.getBody().read()).isEqualTo(-1);
                    assertThat(response.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
                    assertThat(response.getHeaders().getETag()).isEqualTo("\"v1\"");
                }
            }
            assertThat(peer.received()).allSatisfy((r) -> assertThat(r.text()).contains("Accept-Encoding: gzip"));
            assertThat(peer.accepted()).as("the connection is reused").isEqualTo(1);
        }
    }

    /** A gzip body dropped half-read: reclaiming the leak frees the inflater's native memory too. */
    @Test
    void leakReclaimEndsTheInflater() throws Exception {
        byte[] random = new byte[256 * 1024];
        new Random(7).nextBytes(random);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(random))).build());

        Inflation inflation = readSomeAndDrop();

        // The leak is counted before its slot is freed (BodyTracker.onUnreachable): wait for both.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return this.transport.bodies().leaked() == 1
                    && this.transport.pool().closedBy().get(CloseReason.LEAK_RECLAIMED) == 1;
        });
        assertThat(inflation.holdsNativeMemory()).isFalse();
    }

    @Test
    void inflaterIsEndedAtEofAtCloseAndOnFailure() throws Exception {
        this.server.enqueue(gzipResponse(TEXT, false));
        this.server.enqueue(gzipResponse(TEXT, true));
        byte[] corrupt = gzip(TEXT);
        corrupt[corrupt.length - 1] ^= 1;
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(corrupt)).build());

        try (ClientHttpResponse response = this.factory.createRequest(uri("/eof"), HttpMethod.GET).execute()) {
            GzipBody body = (GzipBody) response.getBody();
            body.readAllBytes();
            assertThat(body.inflation().holdsNativeMemory()).as("at EOF").isFalse();
        }
        ClientHttpResponse early = this.factory.createRequest(uri("/close"), HttpMethod.GET).execute();
        GzipBody body = (GzipBody) early.getBody();
        body.read();
        assertThat(body.inflation().holdsNativeMemory()).isTrue();
        early.close();
        assertThat(body.inflation().holdsNativeMemory()).as("at close").isFalse();
        try (ClientHttpResponse response = this.factory.createRequest(uri("/bad"), HttpMethod.GET).execute()) {
            GzipBody failing = (GzipBody) response.getBody();
            assertThatExceptionOfType(IOException.class).isThrownBy(failing::readAllBytes);
            assertThat(failing.inflation().holdsNativeMemory()).as("on failure").isFalse();
        }
    }

    private Inflation readSomeAndDrop() throws IOException {
        ClientHttpResponse response = this.factory.createRequest(uri("/leak"), HttpMethod.GET).execute();
        GzipBody body = (GzipBody) response.getBody();
        assertThat(body.readNBytes(100)).hasSize(100);
        assertThat(body.inflation().holdsNativeMemory()).isTrue();
        return body.inflation();
    }

    private void assertCorrupt(byte[] wire, String reason) throws Exception {
        String head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + wire.length + "\r\n\r\n";
        assertFailsAtPeer(concat(head.getBytes(StandardCharsets.ISO_8859_1), wire), reason);
    }

    /** The peer answers the first request with {@code response} and every later one with "ok". */
    private void assertFailsAtPeer(byte[] response, String reason) throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            if (conn.readRequest() == null) {
                return;
            }
            conn.write(conn.index == 0 ? response : RawPeer.ok("ok").getBytes(StandardCharsets.ISO_8859_1));
            while (conn.readRequest() != null) {
                conn.write(RawPeer.ok("ok"));
            }
        })) {
            try (ClientHttpResponse bad = this.factory.createRequest(peer.uri("/bad"), HttpMethod.GET).execute()) {
                InputStream body = bad.getBody();
                assertThatExceptionOfType(IOException.class).isThrownBy(body::readAllBytes)
                        .withMessageContaining("GET " + peer.uri("/bad"))
                        .withMessageContaining(peer.route())
                        .withMessageContaining(reason);
                assertThatExceptionOfType(IOException.class).as("and it stays failed").isThrownBy(body::read);
            }
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
            assertThat(this.transport.pool().idle()).isZero();
            assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);

            try (ClientHttpResponse next = this.factory.createRequest(peer.uri("/next"), HttpMethod.GET).execute()) {
                assertThat(next.getBody().readAllBytes()).asString().isEqualTo("ok");
            }
            assertThat(peer.accepted()).as("the failed connection is not reused").isEqualTo(2);
        }
    }

    private void readOneByteThenClose() throws Exception {
        try (ClientHttpResponse response = this.factory.createRequest(uri("/data"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().read()).isNotEqualTo(-1);
        }
        assertThat(this.transport.pool().active()).isZero();
    }

    private String get(String path) throws Exception {
        ClientHttpRequest request = this.factory.createRequest(uri(path), HttpMethod.GET);
        try (ClientHttpResponse response = request.execute()) {
            return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void useSettings(KeepAliveSettings.Builder settings) {
        if (this.transport != null) {
            this.transport.close();
        }
        this.transport = KeepAliveTransport.create(settings.build());
        this.factory = this.transport.requestFactory();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.server.getPort() + path);
    }

    /**
     * Decoding's heap cost per body, over the same 16 KiB sent plain, measured on the calling thread (where all
     * decoding runs): the inflater's input buffer, 4 KiB as in Go's gzip reader, and a few small objects. With an
     * 8 KiB buffer a gzip body cost about 9 KiB more than a plain one.
     */
    @Test
    void aGzipBodyCostsLessThanSixKibibytesOfHeapOverTheSameBodySentPlain() throws Exception {
        RestClient client = RestClient.builder().requestFactory(this.factory).build();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] buffer = new byte[16 * 1024];
        long gzip = 0;
        long plain = 0;
        try (LoopbackHttpServer loopback = new LoopbackHttpServer()) {
            for (int round = 0; round < 3; round++) { // the first two warm the JIT up, the last is measured
                gzip = allocatedPerRequest(threads, client, loopback.uri("/gzip/16384"), buffer, 16384);
                plain = allocatedPerRequest(threads, client, loopback.uri("/bytes/16384"), buffer, 16384);
            }
        }

        assertThat(gzip - plain).as("heap bytes per gzip body over a plain one (%d vs %d)", gzip, plain)
                .isLessThan(6 * 1024);
    }

    /**
     * A whole gzip body read as RestClient reads a {@code byte[]} (a look at the first byte, then readAllBytes) fills
     * one array of the decoded length that the trailer announces: over the same 64 KiB sent plain, only the
     * compressed wire buffered once. The JDK's readAllBytes (8 KiB pieces, then one array they are copied into)
     * cost about 70 KiB more.
     */
    @Test
    void aWholeGzipBodyReadAsBytesCostsOneArrayOfItsDecodedLength() throws Exception {
        RestClient client = RestClient.builder().requestFactory(this.factory).build();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long gzip = 0;
        long plain = 0;
        try (LoopbackHttpServer loopback = new LoopbackHttpServer()) {
            for (int round = 0; round < 3; round++) { // the first two warm the JIT up, the last is measured
                gzip = allocatedPerBytesRequest(threads, client, loopback.uri("/gzip/65536"), 65536);
                plain = allocatedPerBytesRequest(threads, client, loopback.uri("/bytes/65536"), 65536);
            }
        }

        assertThat(gzip - plain).as("heap bytes per 64 KiB gzip body over a plain one (%d vs %d)", gzip, plain)
                .isLessThan(24 * 1024);
    }

    private static long allocatedPerBytesRequest(com.sun.management.ThreadMXBean threads, RestClient client, URI uri,
            int expectedBytes) {
        int requests = 100;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < requests; i++) {
            byte[] body = client.get().uri(uri).retrieve().body(byte[].class);
            assertThat(body).hasSize(expectedBytes);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / requests;
    }

    /** RestClient's look at the first byte: mark, read, reset, then the whole body, as it was sent. */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void markAndResetGiveTheDecodedBytesAgain(boolean chunked) throws Exception {
        this.server.enqueue(gzipResponse(TEXT, chunked));
        try (ClientHttpResponse response = this.factory.createRequest(uri("/mark"), HttpMethod.GET).execute()) {
            InputStream body = response.getBody();
            assertThat(body.markSupported()).isTrue();
            body.mark(16);
            byte[] first = body.readNBytes(10);
            body.reset();
            assertThat(body.readNBytes(10)).isEqualTo(first);
            body.reset();
            assertThat(body.readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo(TEXT);
            assertThat(body.read()).isEqualTo(-1);
        }
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    /** The trailer's length only sizes the first array: a body longer than it says grows the array, then fails. */
    @Test
    void aTrailerAnnouncingFewerBytesThanTheBodyHoldsFails() throws Exception {
        assertCorrupt(withDecodedSize(gzip(TEXT), 100), "decoded size mismatch");
    }

    @Test
    void aTrailerAnnouncingMoreBytesThanTheBodyHoldsFails() throws Exception {
        assertCorrupt(withDecodedSize(gzip(TEXT), TEXT.length() * 3), "decoded size mismatch");
    }

    /** A wire longer than the whole-body read takes in at once: its bytes feed the inflater, and more are read. */
    @Test
    void aWireLongerThanThePrefetchIsReadWhole() throws Exception {
        byte[] random = new byte[600 * 1024];
        new Random(11).nextBytes(random);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(random))).build());
        try (ClientHttpResponse response = this.factory.createRequest(uri("/big"), HttpMethod.GET).execute()) {
            assertThat(response.getBody().readAllBytes()).isEqualTo(random);
        }
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    /**
     * A body read in many readNBytes calls takes the wire in ahead once: each call after the first reads on
     * from what is buffered, instead of copying the buffered wire again (about 150 copies of up to 256 KiB here).
     */
    @Test
    void aBodyReadInManyReadNBytesCallsTakesTheWireInOnce() throws Exception {
        byte[] random = new byte[600 * 1024];
        new Random(17).nextBytes(random);
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(random))).build());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteArrayOutputStream read = new ByteArrayOutputStream(random.length);
        long allocated;
        try (ClientHttpResponse response = this.factory.createRequest(uri("/pieces"), HttpMethod.GET).execute()) {
            InputStream body = response.getBody();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (byte[] piece; (piece = body.readNBytes(4096)).length > 0;) {
                read.writeBytes(piece);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertThat(read.toByteArray()).isEqualTo(random);
        assertThat(allocated).as("bytes allocated reading 600 KiB in 4 KiB pieces").isLessThan(4L * 1024 * 1024);
    }

    /** A connection cut while a whole-body read takes in the wire, after a first byte was decoded. */
    @Test
    void connectionCutWhileTheWholeBodyIsReadFailsAndEndsTheInflater() throws Exception {
        byte[] random = new byte[64 * 1024];
        new Random(13).nextBytes(random);
        try (RawPeer peer = cuttingHalfway(gzip(random))) {
            try (ClientHttpResponse response = this.factory.createRequest(peer.uri("/cut"), HttpMethod.GET).execute()) {
                GzipBody body = (GzipBody) response.getBody();
                assertThat(body.read()).isNotEqualTo(-1);
                assertThatExceptionOfType(IOException.class).isThrownBy(body::readAllBytes)
                        .withMessageContaining(peer.route());
                assertThat(body.inflation().holdsNativeMemory()).isFalse();
                assertThatExceptionOfType(IOException.class).as("and it stays failed").isThrownBy(body::read);
            }
            assertThat(this.transport.pool().idle()).isZero();
        }
    }

    /** Sets a gzip member's ISIZE field (its last four bytes), leaving its CRC-32 as it was. */
    private static byte[] withDecodedSize(byte[] gzip, int size) {
        byte[] copy = gzip.clone();
        for (int i = 0; i < 4; i++) {
            copy[copy.length - 4 + i] = (byte) (size >>> (8 * i));
        }
        return copy;
    }

    private static long allocatedPerRequest(com.sun.management.ThreadMXBean threads, RestClient client, URI uri,
            byte[] buffer, int expectedBytes) {
        int requests = 200;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < requests; i++) {
            long read = client.get().uri(uri).exchange((request, response) -> {
                InputStream body = response.getBody();
                long total = 0;
                for (int n; (n = body.read(buffer)) != -1;) {
                    total += n;
                }
                return total;
            });
            assertThat(read).isEqualTo(expectedBytes);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / requests;
    }

    private static MockResponse gzipResponse(String text, boolean chunked) {
        Buffer body = new Buffer().write(gzip(text));
        MockResponse.Builder builder = new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .addHeader("Content-Type", "application/json");
        return (chunked ? builder.chunkedBody(body, 512) : builder.body(body)).build();
    }

    private static byte[] gzip(String text) {
        return gzip(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
