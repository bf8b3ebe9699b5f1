package dev.keepalive.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.CredentialsProviderBuilder;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.LeaseRequest;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The pool behind Apache's own classic client, through {@link KeepAliveConnectionManager}: what Apache's
 * {@code PoolingHttpClientConnectionManager} does for a {@code CloseableHttpClient} (leases bounded by their
 * timeout and cancellable, a fresh connection when the client reconnects an endpoint, release exactly once,
 * kept alive or closed as asked, TLS by the manager's strategy), against real peers on 127.0.0.1.
 */
class KeepAliveConnectionManagerTest {

    private static final HttpRequestExecutor EXECUTOR = HttpRequestExecutor.builder().build();

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

    /**
     * A 401 with {@code Connection: close} and a body the client does not read: Apache closes the endpoint
     * and sends the request again with credentials on the same endpoint, which the manager connects anew.
     * The retry must run on a fresh connection (no bytes of the old response in front of the new one), and
     * the new socket must be pooled and closed like any other.
     */
    @Test
    void clientThatReconnectsAnEndpointGetsAFreshConnection() throws Exception {
        String unauthorized = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n"
                + "Connection: close\r\nContent-Length: 12\r\n\r\nUnauthorized";
        try (RawPeer peer = new RawPeer((conn) -> {
            String request;
            while ((request = conn.readRequest()) != null) {
                if (!request.contains("\r\nAuthorization: Basic ")) {
                    conn.write(unauthorized);
                    conn.close();
                    return;
                }
                conn.write(RawPeer.ok("welcome"));
            }
        }); KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults())) {
            try (CloseableHttpClient client = HttpClients.custom()
                    .setConnectionManager(transport.connectionManager())
                    .setDefaultCredentialsProvider(CredentialsProviderBuilder.create()
                            .add(new AuthScope("127.0.0.1", peer.port()), "user", "secret".toCharArray())
                            .build())
                    .build()) {
                HttpClientContext context = HttpClientContext.create(); // its auth cache makes the second call send credentials at once
                for (int i = 0; i < 2; i++) {
                    String body = client.execute(new HttpGet(peer.uri("/private")), context,
                            (response) -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));
                    assertThat(body).isEqualTo("200 welcome");
                }
            }
            assertThat(peer.accepted()).as("the retry and the next call share the second connection").isEqualTo(2);
            PoolSnapshot pool = transport.pool();
            assertThat(pool.opened()).isEqualTo(2);
            assertThat(pool.closed()).isEqualTo(1);
            assertThat(pool.idle()).isEqualTo(1);
            PoolAssertions.assertBalanced(transport);
            transport.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
        }
    }

    @Test
    void endpointReconnectedThroughTheManagerApiIsANewConnectionInTheSameSlot() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).build())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            ConnectionEndpoint endpoint = manager.lease("a", route, Timeout.ofSeconds(1), null).get(Timeout.ofSeconds(1));
            HttpClientContext context = HttpClientContext.create();
            manager.connect(endpoint, null, context);
            assertThat(get(endpoint, peer, context)).isEqualTo("hi");
            endpoint.close();
            assertThat(endpoint.isConnected()).isFalse();
            manager.connect(endpoint, null, context);
            assertThat(endpoint.isConnected()).isTrue();
            assertThat(get(endpoint, peer, context)).isEqualTo("hi");
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 1);
            assertThat(transport.pool().opened()).isEqualTo(2);
            assertThat(transport.pool().active()).as("still one slot of the cap of 1").isEqualTo(1);
            manager.release(endpoint, null, TimeValue.ofSeconds(30));
            assertThat(transport.pool().idle()).isEqualTo(1);
            PoolAssertions.assertBalanced(transport);
        }
    }

    @Test
    void leaseWaitsNoLongerThanItsTimeout() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(30)).build())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            ConnectionEndpoint held = manager.lease("a", route, null, null).get(Timeout.ZERO_MILLISECONDS);
            long start = System.nanoTime();
            LeaseRequest second = manager.lease("b", route, null, null);
            assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> second.get(Timeout.ofMilliseconds(300)))
                .withMessageContaining("max-conns-per-host is 1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThatExceptionOfType(TimeoutException.class)
                .isThrownBy(() -> manager.lease("c", route, null, null).get(Timeout.ZERO_MILLISECONDS));
            assertThat(transport.pool().waiting()).isZero();
            manager.release(held, null, null);
            assertThat(manager.lease("d", route, null, null).get(Timeout.ZERO_MILLISECONDS)).isNotNull();
        }
    }

    @Test
    void clientsConnectionRequestTimeoutBoundsTheWaitAtTheCap() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(30)).build());
                CloseableHttpClient client = HttpClients.custom().setConnectionManager(transport.connectionManager())
                        .setDefaultRequestConfig(RequestConfig.custom()
                                .setConnectionRequestTimeout(Timeout.ofMilliseconds(300)).build())
                        .build()) {
            ClassicHttpResponse unread = client.executeOpen(null, new HttpGet(peer.uri("/")), null);
            long start = System.nanoTime();
            assertThatExceptionOfType(ConnectionRequestTimeoutException.class)
                .isThrownBy(() -> client.execute(new HttpGet(peer.uri("/")), (response) -> null))
                .withMessageContaining(peer.route());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            unread.close();
            String body = client.execute(new HttpGet(peer.uri("/")), (r) -> EntityUtils.toString(r.getEntity()));
            assertThat(body).isEqualTo("hi");
            PoolAssertions.assertBalanced(transport);
        }
    }

    @Test
    void cancelEndsAWaitingLeaseAndOnlyAPendingOne() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(30)).build())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            LeaseRequest first = manager.lease("a", route, null, null);
            ConnectionEndpoint held = first.get(Timeout.ofSeconds(1));
            manager.connect(held, null, HttpClientContext.create());
            assertThat(first.cancel()).as("a lease already done is not cancelled").isFalse();

            LeaseRequest waiting = manager.lease("b", route, null, null);
            CompletableFuture<ConnectionEndpoint> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiting.get(Timeout.ofSeconds(30));
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pool().waiting() == 1);
            assertThat(waiting.cancel()).isTrue();
            assertThat(waiting.cancel()).as("once").isFalse();
            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .havingRootCause().isInstanceOf(CancellationException.class);
            assertThat(transport.pool().waiting()).isZero();

            LeaseRequest cancelledEarly = manager.lease("c", route, null, null);
            assertThat(cancelledEarly.cancel()).isTrue();
            manager.release(held, null, TimeValue.ofSeconds(30));
            assertThatExceptionOfType(ExecutionException.class)
                .isThrownBy(() -> cancelledEarly.get(Timeout.ofSeconds(1)))
                .withCauseInstanceOf(CancellationException.class);
            assertThat(transport.pool().idle()).as("the cancelled lease took nothing").isEqualTo(1);
            assertThat(transport.pool().active()).isZero();
            PoolAssertions.assertBalanced(transport);
        }
    }

    /**
     * A cancel racing the release that would hand the waiting lease its connection: either the lease got the
     * connection and cancel says false, or cancel says true and the lease fails; the slot is never lost and
     * never given twice.
     */
    @Test
    void cancelRacingAGrantLosesNoSlot() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(30)).build())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            int cancelledCount = 0;
            for (int i = 0; i < 500; i++) {
                ConnectionEndpoint held = manager.lease("held", route, null, null).get(Timeout.ofSeconds(5));
                LeaseRequest waiting = manager.lease("waiting", route, null, null);
                CompletableFuture<ConnectionEndpoint> result = CompletableFuture.supplyAsync(() -> {
                    try {
                        return waiting.get(Timeout.ofSeconds(10));
                    }
                    catch (ExecutionException ex) {
                        return null;
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                });
                if (i % 2 == 0) {
                    await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> transport.pool().waiting() == 1);
                }
                CompletableFuture<Void> release = CompletableFuture.runAsync(() -> manager.release(held, null, null));
                boolean cancelled = waiting.cancel();
                release.get(5, java.util.concurrent.TimeUnit.SECONDS);
                ConnectionEndpoint got = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(got == null).as("iteration %d: cancel said %s", i, cancelled).isEqualTo(cancelled);
                if (got != null) {
                    manager.release(got, null, null);
                }
                else {
                    cancelledCount++;
                }
                PoolSnapshot pool = transport.pool();
                assertThat(pool.active()).as("iteration %d", i).isZero();
                assertThat(pool.waiting()).as("iteration %d", i).isZero();
            }
            assertThat(cancelledCount).as("some cancels won").isPositive();
            PoolAssertions.assertBalanced(transport);
        }
    }

    @Test
    void releaseKeepsAliveOnlyWhenAskedAndOnlyOnce() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            HttpClientContext context = HttpClientContext.create();

            ConnectionEndpoint first = manager.lease("a", route, null, null).get(Timeout.ofSeconds(1));
            manager.connect(first, null, context);
            assertThat(get(first, peer, context)).isEqualTo("hi");
            manager.release(first, null, TimeValue.ofSeconds(30));
            manager.release(first, null, TimeValue.ofSeconds(30));
            assertThat(transport.pool().idle()).isEqualTo(1);
            assertThat(first.isConnected()).as("a released endpoint is detached").isFalse();

            ConnectionEndpoint second = manager.lease("b", route, null, null).get(Timeout.ofSeconds(1));
            assertThat(second.isConnected()).isTrue();
            assertThat(get(second, peer, context)).isEqualTo("hi");
            assertThat(transport.pool().reused()).isEqualTo(1);
            manager.release(second, null, null); // Apache: no keep-alive duration means not reusable
            assertThat(transport.pool().idle()).isZero();
            assertThat(transport.pool().closed()).isEqualTo(1);

            ConnectionEndpoint neverConnected = manager.lease("c", route, null, null).get(Timeout.ofSeconds(1));
            manager.release(neverConnected, null, TimeValue.ofSeconds(30));
            assertThat(transport.pool().idle()).isZero();
            assertThat(transport.pool().active()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            PoolAssertions.assertBalanced(transport);
        }
    }

    /** The keep-alive duration the client releases with (the server's Keep-Alive) bounds the idle time. */
    @Test
    void keepAliveDurationOfTheReleaseBoundsTheIdleTime() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            HttpClientContext context = HttpClientContext.create();
            ConnectionEndpoint endpoint = manager.lease("a", route, null, null).get(Timeout.ofSeconds(1));
            manager.connect(endpoint, null, context);
            assertThat(get(endpoint, peer, context)).isEqualTo("hi");
            manager.release(endpoint, null, TimeValue.ofMilliseconds(100));
            assertThat(transport.pool().idle()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> transport.pool().idle() == 0);
            assertThat(transport.pool().closedBy()).containsEntry(CloseReason.IDLE_TIMEOUT, 1L);
            ConnectionEndpoint next = manager.lease("b", route, null, null).get(Timeout.ZERO_MILLISECONDS);
            assertThat(next.isConnected()).isFalse();
            manager.release(next, null, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            PoolAssertions.assertBalanced(transport);
        }
    }

    /**
     * Apache's connection state (the user token: an NTLM or client-certificate identity): each user's requests
     * run on that user's own connection, kept alive between them, and never on another user's.
     */
    @Test
    void statefulConnectionsAreReusedByTheirOwnUserOnly() throws Exception {
        int users = 4;
        int requests = 5;
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(users).build());
                CloseableHttpClient client = HttpClients.custom().setConnectionManager(transport.connectionManager())
                        .setUserTokenHandler((route, context) -> context.getAttribute("user"))
                        .build()) {
            List<CompletableFuture<Set<Integer>>> workers = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                String user = "user" + u;
                workers.add(CompletableFuture.supplyAsync(() -> {
                    HttpClientContext context = HttpClientContext.create();
                    context.setAttribute("user", user);
                    Set<Integer> connections = new HashSet<>();
                    for (int r = 0; r < requests; r++) {
                        try {
                            HttpGet get = new HttpGet(peer.uri("/" + user));
                            client.execute(get, context, (response) -> EntityUtils.toString(response.getEntity()));
                        }
                        catch (IOException ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                    for (RawPeer.Received received : peer.received()) {
                        if (received.requestLine().startsWith("GET /" + user + " ")) {
                            connections.add(received.connection());
                        }
                    }
                    return connections;
                }));
            }
            Set<Integer> seen = new HashSet<>();
            for (CompletableFuture<Set<Integer>> worker : workers) {
                Set<Integer> connections = worker.get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(connections).as("one user, one connection").hasSize(1);
                assertThat(seen.addAll(connections)).as("no connection shared by two users").isTrue();
            }
            assertThat(peer.accepted()).isEqualTo(users);
            assertThat(transport.pool().reused()).isEqualTo((long) users * (requests - 1));

            // A request without a user at the cap: an idle connection of another user is closed to make room.
            String anonymous = client.execute(new HttpGet(peer.uri("/anonymous")),
                    (response) -> EntityUtils.toString(response.getEntity()));
            assertThat(anonymous).isEqualTo("hi");
            assertThat(peer.received().get(peer.received().size() - 1).connection()).isEqualTo(users);
            PoolAssertions.assertBalanced(transport);
        }
    }

    /** A waiter at the cap is never handed the connection of another user; it gets a new one in that slot. */
    @Test
    void aWaiterOfAnotherUserGetsAFreshConnection() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                        .maxConnsPerHost(1).build())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            HttpClientContext context = HttpClientContext.create();
            ConnectionEndpoint alice = manager.lease("a", route, null, "alice").get(Timeout.ofSeconds(1));
            manager.connect(alice, null, context);
            assertThat(get(alice, peer, context)).isEqualTo("hi");
            LeaseRequest bobLease = manager.lease("b", route, null, "bob");
            CompletableFuture<ConnectionEndpoint> bob = CompletableFuture.supplyAsync(() -> {
                try {
                    return bobLease.get(Timeout.ofSeconds(10));
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pool().waiting() == 1);
            manager.release(alice, "alice", TimeValue.ofSeconds(30));
            ConnectionEndpoint bobs = bob.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(bobs.isConnected()).as("not alice's connection").isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            manager.connect(bobs, null, context);
            assertThat(get(bobs, peer, context)).isEqualTo("hi");
            manager.release(bobs, "bob", TimeValue.ofSeconds(30));
            ConnectionEndpoint bobAgain = manager.lease("c", route, null, "bob").get(Timeout.ZERO_MILLISECONDS);
            assertThat(bobAgain.isConnected()).as("bob's own connection, kept alive").isTrue();
            manager.release(bobAgain, "bob", TimeValue.ofSeconds(30));
            PoolAssertions.assertBalanced(transport);
        }
    }

    @Test
    void tlsIsTheManagersStrategy() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder().commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder().heldCertificate(certificate)
            .build();
        HandshakeCertificates trusting = new HandshakeCertificates.Builder()
            .addTrustedCertificate(certificate.certificate())
            .build();
        try (MockWebServer server = new MockWebServer();
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults());
                CloseableHttpClient trustingClient = HttpClients.custom()
                        .setConnectionManager(transport.connectionManager(ClientTlsStrategyBuilder.create()
                                .setSslContext(trusting.sslContext())
                                .buildClassic()))
                        .build();
                CloseableHttpClient defaultClient = HttpClients.custom()
                        .setConnectionManager(transport.connectionManager())
                        .build()) {
            server.useHttps(serverCertificates.sslSocketFactory());
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            server.enqueue(new MockResponse.Builder().body("secure 1").build());
            server.enqueue(new MockResponse.Builder().body("secure 2").build());
            for (int i = 1; i <= 2; i++) {
                String body = trustingClient.execute(new HttpGet(httpsUrl(server)),
                        (response) -> EntityUtils.toString(response.getEntity()));
                assertThat(body).isEqualTo("secure " + i);
            }
            assertThat(transport.pool().opened()).isEqualTo(1);
            assertThatExceptionOfType(SSLException.class).isThrownBy(() -> defaultClient
                .execute(new HttpGet(httpsUrl(server)), (response) -> EntityUtils.toString(response.getEntity())));
            assertThat(transport.pool().idle()).as("connections made with other trust are not shared").isEqualTo(1);
            PoolAssertions.assertBalanced(transport);
        }
    }

    /** An aborted request (another thread cancels it mid-read) ends the read, frees the slot, closes the socket. */
    @Test
    void abortedRequestFreesItsSlotAndClosesItsSocket() throws Exception {
        try (RawPeer peer = new RawPeer((conn) -> {
            conn.readRequest(); // and never answer
            conn.awaitClientClose();
        }); KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
                .maxConnsPerHost(1).build());
                CloseableHttpClient client = HttpClients.custom().setConnectionManager(transport.connectionManager())
                        .build()) {
            HttpGet request = new HttpGet(peer.uri("/hang"));
            CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.execute(request, (response) -> response.getCode());
                }
                catch (Exception ex) {
                    return ex;
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.received().size() == 1);
            assertThat(request.cancel()).isTrue();
            assertThat(call.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(Exception.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.open() == 0);
            assertThat(transport.pool().active()).isZero();
            assertThat(transport.pool().idle()).isZero();
            PoolAssertions.assertBalanced(transport);
        }
    }

    @Test
    void proxiedRoutesAreRefusedWithAClearMessage() throws Exception {
        try (KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults())) {
            HttpRoute route = new HttpRoute(new HttpHost("http", "example.com", 80), new HttpHost("proxy.example", 3128));
            assertThatExceptionOfType(UnsupportedOperationException.class)
                .isThrownBy(() -> transport.connectionManager().lease("a", route, null, null))
                .withMessageContaining("proxy");
        }
    }

    @Test
    void aClosedManagerLeasesNothingAndLeavesTheTransportOpen() throws Exception {
        try (RawPeer peer = RawPeer.answering(RawPeer.ok("hi"));
                KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.defaults())) {
            KeepAliveConnectionManager manager = transport.connectionManager();
            manager.close();
            HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", peer.port()));
            assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> manager.lease("a", route, null, null))
                .withMessageContaining("closed");
            assertThat(transport.isClosed()).isFalse();
            assertThat(transport.connectionManager().lease("b", route, null, null).get(Timeout.ofSeconds(1)))
                .isNotNull();
        }
    }

    /** The certificate names 127.0.0.1, MockWebServer's own URLs say localhost. */
    private static java.net.URI httpsUrl(MockWebServer server) {
        return java.net.URI.create("https://127.0.0.1:" + server.getPort() + "/");
    }

    private static String get(ConnectionEndpoint endpoint, RawPeer peer, HttpClientContext context) throws Exception {
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("GET", "/");
        request.addHeader("Host", "127.0.0.1:" + peer.port());
        try (ClassicHttpResponse response = endpoint.execute("x", request, EXECUTOR, context)) {
            return EntityUtils.toString(response.getEntity());
        }
    }

}
