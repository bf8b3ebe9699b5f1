package dev.keepalive.transport;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Design §3 rule 17 on a real IPv6 loopback ({@code [::1]}): the {@code Host} header, the route's name, its
 * per-host override key, and TLS to an IP literal (no SNI, the certificate checked for the IP). Skipped
 * where the machine has no IPv6 loopback.
 */
class Ipv6Test {

    private static final InetAddress LOOPBACK6 = loopback6();

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;

    @BeforeAll
    static void requireIpv6Loopback() {
        assumeTrue(canListenOnIpv6Loopback(), "no IPv6 loopback on this machine");
    }

    @AfterEach
    void stop() {
        try {
            if (this.transport != null) {
                PoolAssertions.assertBalanced(this.transport);
                assertThat(this.transport.pool().active()).isZero();
            }
        }
        finally {
            if (this.transport != null) {
                this.transport.close();
            }
            this.server.close();
        }
    }

    @Test
    void hostHeaderAndRouteNameCarryOnePairOfBrackets() throws Exception {
        this.server.start(LOOPBACK6, 0);
        this.server.enqueue(new MockResponse.Builder().body("over six").build());
        RestClient client = client(KeepAliveSettings.builder(), RequestOptions.defaults());
        String route = "http://[::1]:" + this.server.getPort();

        assertThat(client.get().uri(route + "/v6").retrieve().body(String.class)).isEqualTo("over six");

        RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHeaders().values("Host")).containsExactly("[::1]:" + this.server.getPort());
        assertThat(this.transport.pool().routes()).extracting(RouteSnapshot::route).containsExactly(route);
        assertThat(this.transport.pool().route(route)).isPresent();
    }

    @Test
    void perHostOverrideKeyedByBracketedLiteralApplies() throws Exception {
        this.server.start(LOOPBACK6, 0);
        this.server.enqueue(new MockResponse.Builder().body("capped").build());
        RestClient client = client(KeepAliveSettings.builder().maxConnsPerHost(0)
                .host("[::1]:" + this.server.getPort(), new KeepAliveSettings.HostLimits(3, 2)), RequestOptions.defaults());

        client.get().uri("http://[::1]:" + this.server.getPort() + "/").retrieve().body(String.class);

        RouteSnapshot pool = this.transport.pool().route("http://[::1]:" + this.server.getPort()).orElseThrow();
        assertThat(pool.maxConns()).isEqualTo(3);
        assertThat(pool.maxIdleConns()).isEqualTo(2);
    }

    @Test
    void tlsToAnIpv6LiteralSendsNoSniAndChecksTheAddress() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder().commonName("v6 loopback")
                .addSubjectAlternativeName("::1").build();
        this.server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
        this.server.start(LOOPBACK6, 0);
        this.server.enqueue(new MockResponse.Builder().body("secure six").build());
        RestClient client = client(KeepAliveSettings.builder(),
                RequestOptions.defaults().withTls(FaultSuiteTest.trusting(certificate), null));
        String route = "https://[::1]:" + this.server.getPort();

        assertThat(client.get().uri(route + "/").retrieve().body(String.class)).isEqualTo("secure six");

        RecordedRequest request = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHandshakeServerNames()).as("no SNI for an IP literal").isEmpty();
        assertThat(request.getHeaders().get("Host")).isEqualTo("[::1]:" + this.server.getPort());
        assertThat(this.transport.pool().route(route)).isPresent();
    }

    @Test
    void tlsToAnIpv6LiteralRefusesACertificateForAnotherAddress() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder().commonName("v4 loopback")
                .addSubjectAlternativeName("127.0.0.1").build();
        this.server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
        this.server.start(LOOPBACK6, 0);
        RestClient client = client(KeepAliveSettings.builder(),
                RequestOptions.defaults().withTls(FaultSuiteTest.trusting(certificate), null));
        String route = "https://[::1]:" + this.server.getPort();

        assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> client.get().uri(route + "/").retrieve().body(String.class))
                .withCauseInstanceOf(SSLException.class)
                .withMessageContaining("TLS handshake with " + route + " failed")
                .withMessageContaining("IP address");
        assertThat(this.transport.pool().opened()).isEqualTo(this.transport.pool().closed());
    }

    private RestClient client(KeepAliveSettings.Builder settings, RequestOptions options) {
        // A read timeout so that a server that cannot parse the request fails the test instead of hanging it.
        this.transport = KeepAliveTransport.create(settings.readTimeout(java.time.Duration.ofSeconds(5)).build());
        return RestClient.builder().requestFactory(this.transport.requestFactory(options)).build();
    }

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByName("::1");
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Whether a socket can listen on {@code ::1} (kernels with IPv6 off, or containers without it, cannot). */
    private static boolean canListenOnIpv6Loopback() {
        if (!(LOOPBACK6 instanceof Inet6Address)) {
            return false;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(LOOPBACK6, 0));
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }
}
