package dev.keepalive.transport;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The seeds' experiments, in Java: what unread, unclosed and read-but-unclosed bodies do to connections. */
class SeedExperimentsTest {

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @BeforeEach
    void start() throws Exception {
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("hello from the seeds").build();
            }
        });
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().reclaimLeaks(false).build());
        this.factory = this.transport.requestFactory();
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    private URI uri() {
        return this.server.url("/").uri();
    }

    @Test
    void tenUnreadUnclosedResponsesHoldTenConnections() throws Exception {
        List<ClientHttpResponse> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(this.factory.createRequest(uri(), HttpMethod.GET).execute());
        }
        assertThat(this.transport.pool().active()).isEqualTo(10);
        assertThat(this.transport.pool().idle()).isZero();
        assertThat(serverConnections(10)).hasSize(10);
        assertThat(this.transport.bodies().open()).isEqualTo(10);
        held.forEach(ClientHttpResponse::close);
        assertThat(this.transport.pool().active()).isZero();
    }

    @Test
    void sixResponsesReadToEofNeverClosedUseOneConnection() throws Exception {
        List<ClientHttpResponse> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ClientHttpResponse response = this.factory.createRequest(uri(), HttpMethod.GET).execute();
            assertThat(response.getBody().readAllBytes()).hasSize(20);
            held.add(response);
        }
        assertThat(serverConnections(6)).hasSize(1);
        assertThat(this.transport.pool().idle()).isEqualTo(1);
        assertThat(this.transport.pool().active()).isZero();
        assertThat(this.transport.bodies().eof()).isZero();
    }

    @Test
    void sixResponsesReadAndClosedUseOneConnection() throws Exception {
        for (int i = 0; i < 6; i++) {
            try (ClientHttpResponse response = this.factory.createRequest(uri(), HttpMethod.GET).execute()) {
                assertThat(response.getBody().readAllBytes()).hasSize(20);
            }
        }
        assertThat(serverConnections(6)).hasSize(1);
        assertThat(this.transport.bodies().eof()).isEqualTo(6);
        assertThat(this.transport.bodies().open()).isZero();
        assertThat(this.transport.pool().idle()).isEqualTo(1);
    }

    private Set<Integer> serverConnections(int requests) throws InterruptedException {
        Set<Integer> connections = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            connections.add(this.server.takeRequest().getConnectionIndex());
        }
        return connections;
    }
}
