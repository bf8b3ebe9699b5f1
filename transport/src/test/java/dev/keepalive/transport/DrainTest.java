package dev.keepalive.transport;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Design §3 rule 8: a body closed before EOF is drained within the byte and time budget, else discarded. */
class DrainTest {

    private static final int KIB = 1024;

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        // The defaults: drain.max-bytes 256 KiB, drain.timeout 100 ms.
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
    void oneMebibyteClosedAfterOneKibibyteClosesTheConnectionUnread() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(1024 * KIB)).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        readThenClose(1 * KIB);

        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.closedBy().get(CloseReason.EARLY_CLOSE)).isEqualTo(1);
        assertThat(pool.idle()).isZero();
        assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
        assertThat(this.transport.bodies().earlyCloseDrained()).isZero();

        assertThat(get("/next")).isEqualTo("next");
        assertThat(this.server.takeRequest().getConnectionIndex()).isZero();
        assertThat(this.server.takeRequest().getConnectionIndex()).as("the next request opens a new connection")
                .isEqualTo(1);
        assertThat(this.transport.pool().opened()).isEqualTo(2);
    }

    @Test
    void tenKibibytesLeftAreDrainedAndTheConnectionReused() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(11 * KIB)).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        readThenClose(1 * KIB);

        assertDrainedAndReused();
    }

    @Test
    void chunkedBodyEndingWithinTheBudgetIsDrained() throws Exception {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("x".repeat(11 * KIB), 1 * KIB).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        readThenClose(1 * KIB);

        assertDrainedAndReused();
    }

    @Test
    void restSlowerThanTheDrainTimeoutIsDiscarded() throws Exception {
        // 10 KiB left at 1 KiB per 50 ms is about 500 ms, over the 100 ms drain.timeout.
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(11 * KIB))
                .throttleBody(KIB, 50, TimeUnit.MILLISECONDS).build());

        readThenClose(1 * KIB);

        assertThat(this.transport.pool().closedBy().get(CloseReason.EARLY_CLOSE)).isEqualTo(1);
        assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(1);
        assertThat(this.transport.pool().idle()).isZero();
    }

    @Test
    void restClientExchangeClosingEarlyUsesTheDrainBudgetToo() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(1024 * KIB)).build());
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(11 * KIB)).build());
        RestClient client = RestClient.builder().requestFactory(this.factory).build();

        for (int i = 0; i < 2; i++) {
            client.get().uri(uri("/data")).exchange((request, response) -> response.getBody().readNBytes(KIB));
        }

        BodiesSnapshot bodies = this.transport.bodies();
        assertThat(bodies.earlyCloseDiscarded()).as("the 1 MiB body").isEqualTo(1);
        assertThat(bodies.earlyCloseDrained()).as("the 11 KiB body, on a new connection").isEqualTo(1);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    private void assertDrainedAndReused() throws Exception {
        assertThat(this.transport.bodies().earlyCloseDrained()).isEqualTo(1);
        assertThat(this.transport.bodies().earlyCloseDiscarded()).isZero();
        assertThat(this.transport.pool().idle()).isEqualTo(1);

        assertThat(get("/next")).isEqualTo("next");
        assertThat(this.server.takeRequest().getConnectionIndex()).isZero();
        assertThat(this.server.takeRequest().getConnectionIndex()).as("the drained connection is reused").isZero();
        assertThat(this.transport.pool().opened()).isEqualTo(1);
        assertThat(this.transport.pool().reused()).isEqualTo(1);
    }

    private void readThenClose(int bytes) throws Exception {
        try (ClientHttpResponse response = this.factory.createRequest(uri("/data"), HttpMethod.GET).execute()) {
            InputStream body = response.getBody();
            assertThat(body.readNBytes(bytes)).hasSize(bytes);
        }
        assertThat(this.transport.bodies().open()).isZero();
        assertThat(this.transport.pool().active()).isZero();
    }

    private String get(String path) throws Exception {
        try (ClientHttpResponse response = this.factory.createRequest(uri(path), HttpMethod.GET).execute()) {
            return new String(response.getBody().readAllBytes());
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.server.getPort() + path);
    }
}
