package dev.keepalive.transport;

import java.net.InetAddress;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pool behind Apache's own classic client, through {@link KeepAliveConnectionManager}. */
class KeepAliveConnectionManagerTest {

    @Test
    void apacheClientReusesThePooledConnectionAndShowsInTheSnapshot() throws Exception {
        try (MockWebServer server = new MockWebServer();
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults());
                CloseableHttpClient client = HttpClients.custom().setConnectionManager(transport.connectionManager())
                        .build()) {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            for (int i = 0; i < 3; i++) {
                server.enqueue(new MockResponse.Builder().body("apache " + i).build());
            }
            server.enqueue(new MockResponse.Builder().body("last").setHeader("Connection", "close").build());
            for (int i = 0; i < 3; i++) {
                String body = client.execute(new HttpGet(server.url("/").uri()),
                        (response) -> EntityUtils.toString(response.getEntity()));
                assertThat(body).isEqualTo("apache " + i);
            }
            assertThat(transport.pool().opened()).isEqualTo(1);
            assertThat(transport.pool().reused()).isEqualTo(2);
            assertThat(transport.pool().idle()).isEqualTo(1);

            client.execute(new HttpGet(server.url("/").uri()), (response) -> EntityUtils.toString(response.getEntity()));
            assertThat(transport.pool().idle()).isZero();
            assertThat(transport.pool().closedBy()).containsEntry(CloseReason.SERVER_CLOSE, 1L);
            for (int i = 0; i < 4; i++) {
                assertThat(server.takeRequest().getConnectionIndex()).isZero();
            }
            PoolAssertions.assertBalanced(transport);
        }
    }
}
