package dev.keepalive.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * How the application's whole-body reads reach the wire: {@code readNBytes}/{@code readAllBytes} (Spring's
 * {@code byte[]} converter) fill one array of the body's length, {@code transferTo} copies through a buffer no
 * larger than the body, and mark/reset (RestClient's look at the first byte) replays the bytes read since the
 * mark. Each still gives the connection back at EOF, exactly once.
 */
class BodyReadingTest {

    private static final int MIB = 1024 * 1024;

    private LoopbackHttpServer server;
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.server = new LoopbackHttpServer();
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
            this.server.close();
        }
    }

    @Test
    void restClientReadsAKnownLengthBodyIntoOneArray() {
        RestClient client = RestClient.builder().requestFactory(this.factory).build();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        byte[] body = null;
        long allocated = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the first calls also load and link classes: count the least of five
            long before = threads.getThreadAllocatedBytes(thread);
            body = client.get().uri(this.server.uri("/bytes/" + MIB)).retrieve().body(byte[].class);
            allocated = Math.min(allocated, threads.getThreadAllocatedBytes(thread) - before);
        }

        assertThat(body).hasSize(MIB);
        assertThat(new String(body, 0, 32, StandardCharsets.US_ASCII)).isEqualTo("0123456789abcdef".repeat(2));
        // One array of the body and the request's small change; the JDK's reading in 8 KiB pieces copied
        // together at the end takes twice the body.
        assertThat(allocated).as("bytes allocated to read a 1 MiB body").isLessThan(MIB + MIB / 4);
        assertThat(this.transport.bodies().eof()).isEqualTo(5);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        assertThat(this.server.accepted()).isEqualTo(1);
    }

    @Test
    void readAllBytesOfAKnownLengthReleasesTheConnectionAtItsEnd() throws Exception {
        ClientHttpResponse response = get("/bytes/100000");
        InputStream body = response.getBody();
        assertThat(body.read()).isEqualTo('0');
        byte[] rest = body.readAllBytes();

        assertThat(rest).hasSize(100000 - 1);
        assertThat(rest[0]).isEqualTo((byte) '1');
        assertThat(this.transport.pool().idle()).as("released at EOF, before close").isEqualTo(1);
        assertThat(body.readAllBytes()).isEmpty();
        assertThat(body.read()).isEqualTo(-1);
        response.close();
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    @Test
    void readNBytesOfAChunkedBodyReadsUpToTheEnd() throws Exception {
        try (ClientHttpResponse response = get("/chunked/50000")) {
            InputStream body = response.getBody();
            assertThat(body.readNBytes(1000)).hasSize(1000);
            assertThat(body.readNBytes(Integer.MAX_VALUE)).hasSize(49000);
            assertThat(this.transport.pool().idle()).isEqualTo(1);
        }
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    @Test
    void transferToCopiesTheWholeBodyOfEitherFraming() throws Exception {
        for (String path : new String[] { "/bytes/300000", "/chunked/300000", "/bytes/7" }) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ClientHttpResponse response = get(path)) {
                assertThat(response.getBody().transferTo(out)).isEqualTo(out.size());
            }
            assertThat(out.size()).as(path).isEqualTo(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)));
            assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("0123456");
        }
        assertThat(this.transport.bodies().eof()).isEqualTo(3);
        assertThat(this.server.accepted()).isEqualTo(1);
    }

    @Test
    void markAndResetGiveTheBytesReadSinceTheMarkAgain() throws Exception {
        try (ClientHttpResponse response = get("/bytes/100")) {
            InputStream body = response.getBody();
            assertThat(body.markSupported()).isTrue();
            assertThat(body.readNBytes(3)).asString(StandardCharsets.US_ASCII).isEqualTo("012");
            body.mark(10);
            assertThat(body.readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("34567");
            body.reset();
            assertThat(body.available()).isGreaterThanOrEqualTo(5);
            assertThat(body.read()).isEqualTo('3');
            body.mark(200); // a mark among replayed bytes keeps those still to be read
            byte[] rest = body.readAllBytes();
            assertThat(rest).hasSize(96);
            assertThat(new String(rest, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("4567");
            assertThat(this.transport.pool().idle()).isEqualTo(1);
            body.reset(); // after EOF the bytes read since the mark are still there to read again
            assertThat(body.readAllBytes()).isEqualTo(rest);
        }
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    @Test
    void restClientLooksAtTheFirstByteOfAnEmptyLookingBodyThroughMarkAndReset() {
        RestClient client = RestClient.builder().requestFactory(this.factory).build();
        String body = client.get().uri(this.server.uri("/chunked/20")).retrieve().body(String.class);
        assertThat(body).isEqualTo("0123456789abcdef0123");
        assertThat(this.transport.bodies().eof()).isEqualTo(1);
    }

    @Test
    void readingPastTheMarkLimitDropsTheMark() throws Exception {
        try (ClientHttpResponse response = get("/bytes/100")) {
            InputStream body = response.getBody();
            body.mark(4);
            assertThat(body.readNBytes(8)).hasSize(8);
            assertThatExceptionOfType(IOException.class).isThrownBy(body::reset)
                    .withMessageContaining("invalid mark")
                    .withMessageContaining("GET " + this.server.uri("/bytes/100"));
            assertThat(body.read()).isEqualTo('8');
        }
    }

    @Test
    void bytesToReplayAreNotReadAfterClose() throws Exception {
        ClientHttpResponse response = get("/bytes/100");
        InputStream body = response.getBody();
        body.mark(10);
        assertThat(body.read()).isEqualTo('0');
        body.reset();
        response.close();
        assertThat(body.read()).isEqualTo(-1);
        assertThat(body.available()).isZero();
        assertThat(this.transport.bodies().earlyCloseDrained()).isEqualTo(1);
    }

    @Test
    void aServerThatAnnouncesMoreThanItSendsFailsTheWholeBodyRead() throws Exception {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n";
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest();
            conn.write(head + "only this much");
            conn.close();
        })) {
            ClientHttpResponse response = this.factory.createRequest(peer.uri("/big"), HttpMethod.GET).execute();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.getBody().readAllBytes())
                    .withMessageContaining("failed after 14 bytes");
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as("no array of the announced length").isLessThan(4L * MIB);
            response.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            assertThat(this.transport.pool().idle()).isZero();
        }
    }

    private ClientHttpResponse get(String path) throws IOException {
        return this.factory.createRequest(this.server.uri(path), HttpMethod.GET).execute();
    }
}
