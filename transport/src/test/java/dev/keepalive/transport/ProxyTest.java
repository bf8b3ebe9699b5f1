package dev.keepalive.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;

import ch.qos.logback.classic.Level;
import dev.keepalive.transport.internal.exchange.ProxyTunnel;
import dev.keepalive.transport.internal.proxy.ProxySelection;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Rule 21 against a real proxy, Debian's tinyproxy, started by each test with its own configuration: plain
 * {@code http} in absolute form (the origin sees tinyproxy's {@code Via}), {@code https} through a
 * {@code CONNECT} tunnel to a local TLS server whose name is verified, Basic credentials accepted and
 * refused (a {@code 407} is the response for {@code http}, an error naming proxy and target for
 * {@code https}), {@code no-proxy} bypass, and an unreachable proxy. A raw peer stands in for a proxy where
 * the bytes the transport writes, or a keep-alive proxy, are the point. No message or log line shows the
 * credentials, and every count balances.
 */
class ProxyTest {

    private static final String USER = "proxy-user";
    private static final String PASSWORD = "pr0xy-s3cret";
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Tinyproxy proxy;
    private MockWebServer origin;
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;

    @AfterEach
    void stop() {
        if (this.transport != null) {
            PoolAssertions.assertBalanced(this.transport);
            this.transport.close();
        }
        if (this.origin != null) {
            this.origin.close();
        }
        if (this.proxy != null) {
            this.proxy.close();
        }
    }

    @Test
    void plainHttpGoesThroughTheProxyAndTheOriginSeesIt() throws Exception {
        this.proxy = Tinyproxy.start(this.dir, null, null);
        startOrigin(null);
        start(ProxyConfig.url(this.proxy.url(null)), RequestOptions.defaults());
        for (int i = 0; i < 3; i++) {
            this.origin.enqueue(new MockResponse.Builder().body("hello " + i).build());
            assertThat(getString(originUri("/greeting?n=" + i))).isEqualTo("200 hello " + i);
            RecordedRequest seen = this.origin.takeRequest();
            assertThat(seen.getHeaders().get("Via")).contains("tinyproxy");
            assertThat(seen.getTarget()).isEqualTo("/greeting?n=" + i);
        }
        String route = originRoute("http") + " via " + this.proxy.name();
        assertThat(this.transport.pool().routes()).singleElement()
                .satisfies((r) -> assertThat(r.route()).isEqualTo(route));
        assertThat(this.proxy.log()).contains("GET " + originRoute("http") + "/greeting");
    }

    /**
     * tinyproxy closes its client connection after each answer, saying nothing: the idle connection is seen
     * closed (rule 16), so a POST that follows is sent on a new connection instead of into the closed one.
     */
    @Test
    void theProxysCloseAfterEachAnswerIsNoticedWhileIdleSoAPostFollowsSafely() throws Exception {
        this.proxy = Tinyproxy.start(this.dir, null, null);
        startOrigin(null);
        start(ProxyConfig.url(this.proxy.url(null)), RequestOptions.defaults());
        this.origin.enqueue(new MockResponse.Builder().body("first").build());
        assertThat(getString(originUri("/get"))).isEqualTo("200 first");
        await("the proxy's close is noticed while the connection is idle").atMost(PATIENCE)
                .until(() -> this.transport.pool().idle() == 0);
        assertThat(this.transport.pool().closedBy().get(CloseReason.SERVER_CLOSE)).isEqualTo(1);

        this.origin.enqueue(new MockResponse.Builder().body("posted").build());
        org.springframework.http.client.ClientHttpRequest post = this.factory.createRequest(originUri("/post"),
                HttpMethod.POST);
        post.getBody().write("payload".getBytes(StandardCharsets.UTF_8));
        try (ClientHttpResponse response = post.execute()) {
            assertThat(response.getBody().readAllBytes()).asString().isEqualTo("posted");
        }
        this.origin.takeRequest();
        RecordedRequest posted = this.origin.takeRequest();
        assertThat(posted.getBody().utf8()).isEqualTo("payload");
        assertThat(posted.getHeaders().get("Via")).contains("tinyproxy");
        assertThat(this.transport.pool().opened()).isEqualTo(2);
    }

    /** tinyproxy answers one request per connection; a keep-alive proxy shows the pool reusing its connection. */
    @Test
    void plainHttpIsSentInAbsoluteFormWithTheCredentialsOnAKeptProxyConnection() throws Exception {
        try (RawPeer keepAliveProxy = RawPeer.answering(RawPeer.ok("from proxy"))) {
            start(ProxyConfig.url("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + keepAliveProxy.port()),
                    RequestOptions.defaults());
            URI target = URI.create("http://origin.example:8080/path?q=1");
            assertThat(getString(target)).isEqualTo("200 from proxy");
            assertThat(getString(URI.create("http://origin.example/other"))).isEqualTo("200 from proxy");

            List<RawPeer.Received> received = keepAliveProxy.received();
            assertThat(received).hasSize(2);
            assertThat(received.get(0).requestLine()).isEqualTo("GET http://origin.example:8080/path?q=1 HTTP/1.1");
            assertThat(received.get(0).text()).contains("\r\nHost: origin.example:8080\r\n")
                    .contains("\r\nProxy-Authorization: Basic " + basic(USER + ":" + PASSWORD) + "\r\n");
            assertThat(received.get(1).requestLine()).isEqualTo("GET http://origin.example/other HTTP/1.1");

            // Two targets, two routes; then the first target again reuses its connection to the proxy.
            assertThat(getString(target)).isEqualTo("200 from proxy");
            assertThat(keepAliveProxy.received().get(2).connection()).isEqualTo(received.get(0).connection());
            assertThat(this.transport.pool().reused()).isEqualTo(1);
            assertThat(this.transport.pool().route("http://origin.example:8080 via http://127.0.0.1:"
                    + keepAliveProxy.port())).isPresent();
        }
    }

    /** RFC 3986: an IPv6 literal target in one pair of brackets, in the absolute form and the CONNECT line. */
    @Test
    void anIpv6TargetIsBracketedOnceInTheAbsoluteFormAndInConnect() throws Exception {
        List<String> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RawPeer recording = new RawPeer((conn) -> {
            String head = conn.readHead();
            heads.add(head);
            conn.write(head.startsWith("CONNECT") ? "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                    : RawPeer.ok("v6"));
        })) {
            start(ProxyConfig.url("http://127.0.0.1:" + recording.port()), RequestOptions.defaults());
            assertThat(getString(URI.create("http://[::1]:8080/x"))).isEqualTo("200 v6");
            IOException refused = catchThrowableOfType(IOException.class,
                    () -> getString(URI.create("https://[::1]/y")));
            assertThat(refused).hasMessageContaining("refused the tunnel to [::1]:443: 403")
                    .hasMessageContaining("https://[::1]:443 via http://127.0.0.1:" + recording.port());
            assertThat(heads.get(0)).startsWith("GET http://[::1]:8080/x HTTP/1.1\r\n")
                    .contains("\r\nHost: [::1]:8080\r\n");
            assertThat(heads.get(1)).startsWith("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n");
        }
    }

    @Test
    void httpsGoesThroughAConnectTunnelToTheVerifiedTargetAndReusesIt() throws Exception {
        HeldCertificate certificate = FaultSuiteTest.certificateFor("127.0.0.1");
        startOrigin(certificate);
        this.proxy = Tinyproxy.start(this.dir, null, null, this.origin.getPort());
        start(ProxyConfig.url(this.proxy.url(null)),
                RequestOptions.defaults().withTls(FaultSuiteTest.trusting(certificate), null));
        for (int i = 0; i < 2; i++) {
            this.origin.enqueue(new MockResponse.Builder().body("secure " + i).build());
            assertThat(getString(originUri("/s"))).isEqualTo("200 secure " + i);
        }
        RecordedRequest first = this.origin.takeRequest();
        RecordedRequest second = this.origin.takeRequest();
        assertThat(first.getHandshake()).isNotNull();
        assertThat(first.getHeaders().get("Via")).as("a tunnel carries the bytes untouched").isNull();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        PoolSnapshot pool = this.transport.pool();
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.route(originRoute("https") + " via " + this.proxy.name())).isPresent();
        assertThat(this.proxy.log()).contains("CONNECT");
    }

    @Test
    void theTargetsCertificateIsVerifiedThroughTheTunnel() throws Exception {
        HeldCertificate otherHost = FaultSuiteTest.certificateFor("other.example");
        startOrigin(otherHost);
        this.proxy = Tinyproxy.start(this.dir, null, null, this.origin.getPort());
        start(ProxyConfig.url(this.proxy.url(null)),
                RequestOptions.defaults().withTls(FaultSuiteTest.trusting(otherHost), null));
        SSLException failure = catchThrowableOfType(SSLException.class, () -> getString(originUri("/s")));
        assertThat(failure).hasMessageContaining(
                "TLS handshake with " + originRoute("https") + " via " + this.proxy.name() + " failed");
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
    }

    /** tinyproxy answers 407 to a request without credentials, 401 to wrong ones: either is the response. */
    @Test
    void plainHttpWithCredentialsPassesAndWithoutOrWrongOnesTheProxysRefusalIsTheResponse() throws Exception {
        this.proxy = Tinyproxy.start(this.dir, USER, PASSWORD);
        startOrigin(null);
        try (LogCapture log = new LogCapture("dev.keepalive")) {
            start(ProxyConfig.url(this.proxy.url(USER + ":" + PASSWORD)), RequestOptions.defaults());
            this.origin.enqueue(new MockResponse.Builder().body("in").build());
            assertThat(getString(originUri("/in"))).isEqualTo("200 in");
            this.transport.close();
            PoolAssertions.assertBalanced(this.transport);

            for (String userInfo : new String[] { null, USER + ":wrong-" + PASSWORD }) {
                start(ProxyConfig.url(this.proxy.url(userInfo)), RequestOptions.defaults());
                try (ClientHttpResponse response = get(originUri("/in"))) {
                    assertThat(response.getStatusCode().value()).isEqualTo(userInfo == null ? 407 : 401);
                    response.getBody().readAllBytes();
                }
                this.transport.close();
                PoolAssertions.assertBalanced(this.transport);
            }
            assertThat(this.origin.getRequestCount()).isEqualTo(1);
            assertNoSecret(log.all());
        }
    }

    /** tinyproxy refuses CONNECT with 407 without credentials and 401 with wrong ones. */
    @Test
    void httpsWithCredentialsTunnelsAndWithoutOrWrongOnesFailsNamingProxyAndTargetOnly() throws Exception {
        HeldCertificate certificate = FaultSuiteTest.certificateFor("127.0.0.1");
        startOrigin(certificate);
        this.proxy = Tinyproxy.start(this.dir, USER, PASSWORD, this.origin.getPort());
        RequestOptions tls = RequestOptions.defaults().withTls(FaultSuiteTest.trusting(certificate), null);
        try (LogCapture log = new LogCapture("dev.keepalive")) {
            start(ProxyConfig.url(this.proxy.url(USER + ":" + PASSWORD)), tls);
            this.origin.enqueue(new MockResponse.Builder().body("in").build());
            assertThat(getString(originUri("/in"))).isEqualTo("200 in");
            this.transport.close();
            PoolAssertions.assertBalanced(this.transport);

            for (String userInfo : new String[] { null, USER + ":wrong-" + PASSWORD }) {
                start(ProxyConfig.url(this.proxy.url(userInfo)), tls);
                IOException refused = catchThrowableOfType(IOException.class, () -> getString(originUri("/in")));
                assertThat(refused).hasMessageContaining("Proxy " + this.proxy.name() + " refused the tunnel to 127.0.0.1:"
                        + this.origin.getPort() + ": " + (userInfo == null ? "407 Proxy Authentication Required"
                                : "401 Unauthorized"))
                        .hasMessageContaining("GET " + originRoute("https") + "/in");
                assertThat(refused).hasRootCauseInstanceOf(ProxyTunnel.RefusedException.class);
                assertNoSecret(refused);
                assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
                this.transport.close();
                PoolAssertions.assertBalanced(this.transport);
            }
            assertThat(this.origin.getRequestCount()).isEqualTo(1);
            assertNoSecret(log.all());
        }
    }

    /** Any answer to CONNECT but 2xx refuses the tunnel; the socket to the proxy is closed. */
    @ParameterizedTest
    @ValueSource(strings = { "407 Proxy Authentication Required", "403 Forbidden", "502 Bad Gateway",
            "301 Moved Permanently", "100 Continue" })
    void aRefusedTunnelIsAnErrorAndItsSocketIsClosed(String status) throws Exception {
        try (RawPeer refusing = new RawPeer((conn) -> {
            conn.readHead();
            conn.write("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nX-Proxy-Secret: " + PASSWORD + "\r\n\r\n");
        })) {
            start(ProxyConfig.url("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + refusing.port()),
                    RequestOptions.defaults());
            IOException refused = catchThrowableOfType(IOException.class,
                    () -> getString(URI.create("https://origin.example/x")));
            assertThat(refused).hasMessageContaining("Proxy http://127.0.0.1:" + refusing.port()
                    + " refused the tunnel to origin.example:443: " + status.substring(0, 3))
                    .hasMessageContaining("https://origin.example:443 via http://127.0.0.1:" + refusing.port());
            assertNoSecret(refused);
            assertThat(refusing.received()).isEmpty(); // only a head was read, never a request to the target
            await("the proxy connection is closed").atMost(PATIENCE).until(() -> refusing.open() == 0);
            assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "http", "https" })
    void anUnreachableProxyIsAnErrorNamingProxyAndTarget(String scheme) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        start(ProxyConfig.url("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + closedPort), RequestOptions.defaults());
        ConnectException failure = catchThrowableOfType(ConnectException.class,
                () -> getString(URI.create(scheme + "://origin.example:8443/x")));
        assertThat(failure).hasMessageContaining("Connect to proxy http://127.0.0.1:" + closedPort + " for " + scheme
                + "://origin.example:8443");
        assertNoSecret(failure);
        assertThat(this.transport.pool().closedBy().get(CloseReason.ERROR)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "127.0.0.0/8", "127.0.0.1:{port}", "*", "example.com, 127.0.0.1" })
    void noProxyEntriesGoDirect(String entry) throws Exception {
        this.proxy = Tinyproxy.start(this.dir, null, null);
        startOrigin(null);
        start(ProxyConfig.url(this.proxy.url(null))
                .withNoProxy(List.of(entry.replace("{port}", Integer.toString(this.origin.getPort())))),
                RequestOptions.defaults());
        this.origin.enqueue(new MockResponse.Builder().body("direct").build());
        assertThat(getString(originUri("/d"))).isEqualTo("200 direct");
        assertThat(this.origin.takeRequest().getHeaders().get("Via")).isNull();
        assertThat(this.transport.pool().route(originRoute("http"))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = { "10.0.0.0/8", "127.0.0.1:1", "example.com", ".example.com", "127.0.0.2", "::1" })
    void otherNoProxyEntriesStillGoThroughTheProxy(String entry) throws Exception {
        this.proxy = Tinyproxy.start(this.dir, null, null);
        startOrigin(null);
        start(ProxyConfig.url(this.proxy.url(null)).withNoProxy(List.of(entry)), RequestOptions.defaults());
        this.origin.enqueue(new MockResponse.Builder().body("proxied").build());
        assertThat(getString(originUri("/p"))).isEqualTo("200 proxied");
        assertThat(this.origin.takeRequest().getHeaders().get("Via")).contains("tinyproxy");
    }

    @Test
    void theProxyInUseIsLoggedOnceAtInfoWithoutCredentials() throws Exception {
        this.proxy = Tinyproxy.start(this.dir, USER, PASSWORD);
        startOrigin(null);
        try (LogCapture log = new LogCapture(ProxySelection.class)) {
            start(ProxyConfig.url(this.proxy.url(USER + ":" + PASSWORD)).withNoProxy(List.of(".internal")),
                    RequestOptions.defaults());
            for (int i = 0; i < 3; i++) {
                this.origin.enqueue(new MockResponse.Builder().body("x").build());
                assertThat(getString(originUri("/x"))).isEqualTo("200 x");
            }
            assertThat(log.messages(Level.INFO)).singleElement().asString()
                    .contains("http and https requests through proxy " + this.proxy.name() + " (from proxy.url)")
                    .contains("proxy.no-proxy=.internal");
            assertNoSecret(log.all());
            assertNoSecret(this.transport.settings().proxy().toString());
            assertNoSecret(this.transport.pool().toString());
        }
    }

    // --- helpers

    private void start(ProxyConfig proxyConfig, RequestOptions options) {
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().proxy(proxyConfig)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).build());
        this.factory = this.transport.requestFactory(options);
    }

    private void startOrigin(HeldCertificate certificate) throws IOException {
        this.origin = new MockWebServer();
        if (certificate != null) {
            this.origin.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build()
                    .sslSocketFactory());
        }
        this.origin.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private String originRoute(String scheme) {
        return scheme + "://127.0.0.1:" + this.origin.getPort();
    }

    private URI originUri(String path) {
        return URI.create(originRoute(this.origin.getProtocolNegotiationEnabled() && isHttps() ? "https" : "http") + path);
    }

    private boolean isHttps() {
        return this.origin.url("/").isHttps();
    }

    private ClientHttpResponse get(URI uri) throws IOException {
        return this.factory.createRequest(uri, HttpMethod.GET).execute();
    }

    /** "status body", the body read to the end and the response closed. */
    private String getString(URI uri) throws IOException {
        try (ClientHttpResponse response = get(uri)) {
            return response.getStatusCode().value() + " "
                    + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String basic(String userInfo) {
        return Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertNoSecret(String text) {
        assertThat(text).doesNotContain(PASSWORD).doesNotContain(USER).doesNotContain(basic(USER + ":" + PASSWORD));
    }

    /** The message of the exception and of every cause and suppressed exception. */
    private static void assertNoSecret(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertNoSecret(String.valueOf(t.getMessage()));
            assertNoSecret(t.toString());
            for (Throwable suppressed : t.getSuppressed()) {
                assertNoSecret(suppressed);
            }
        }
    }
}
