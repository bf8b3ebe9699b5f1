package dev.keepalive.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProxyConfig#fromEnvironment()} in a child JVM ({@link ProxyProbe}) started with real environment
 * variables and system properties, through a real tinyproxy: {@code HTTP_PROXY} / {@code http_proxy} /
 * {@code HTTPS_PROXY}, {@code NO_PROXY}, the JVM's {@code http.proxyHost} before the variables and its
 * {@code http.nonProxyHosts}, loopback never proxied, and a SOCKS proxy refused at start-up, never used
 * behind the transport's back. The origin answers with the {@code Via} header it received (or "direct").
 *
 * <p>Go and keepalive never proxy loopback from the environment, so the proxied target is this machine's
 * non-loopback address; the origin listens on every address, and tinyproxy connects to it there.
 */
class ProxyEnvironmentTest {

    @TempDir
    Path dir;

    private Tinyproxy proxy;
    private MockWebServer origin;
    private String address;

    @BeforeEach
    void start() throws Exception {
        this.proxy = Tinyproxy.start(this.dir, null, null);
        this.address = nonLoopbackAddress();
    }

    @AfterEach
    void stop() {
        if (this.origin != null) {
            this.origin.close();
        }
        this.proxy.close();
    }

    @Test
    void httpProxyVariableCarriesNonLoopbackTargetsAndNeverLoopbackOnes() throws Exception {
        startOrigin(null);
        List<String> lines = probe(Map.of("HTTP_PROXY", this.proxy.url(null)), List.of(), "env",
                url("http", this.address), url("http", "127.0.0.1"), url("http", "localhost"));
        assertThat(lines).containsExactly(
                "OK 200 " + route("http", this.address) + " via " + this.proxy.name() + " | via tinyproxy",
                "OK 200 " + route("http", "127.0.0.1") + " | direct",
                "OK 200 " + route("http", "localhost") + " | direct");
    }

    @Test
    void lowerCaseVariableAndNoProxy() throws Exception {
        startOrigin(null);
        assertThat(probe(Map.of("http_proxy", this.proxy.url(null)), List.of(), "env", url("http", this.address)))
                .singleElement().asString().endsWith(" | via tinyproxy");
        assertThat(probe(Map.of("http_proxy", this.proxy.url(null), "NO_PROXY", "example.com," + this.address),
                List.of(), "env", url("http", this.address)))
                .containsExactly("OK 200 " + route("http", this.address) + " | direct");
    }

    @Test
    void httpsProxyVariableTunnelsToTheVerifiedTarget() throws Exception {
        HeldCertificate certificate = FaultSuiteTest.certificateFor(this.address);
        startOrigin(certificate);
        Path trustStore = trustStore(certificate);
        List<String> lines = probe(Map.of("HTTPS_PROXY", this.proxy.url(null), "HTTP_PROXY", "http://127.0.0.1:9"),
                List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
                        "-Djavax.net.ssl.trustStoreType=PKCS12"),
                "env", url("https", this.address));
        assertThat(lines).containsExactly(
                "OK 200 " + route("https", this.address) + " via " + this.proxy.name() + " | direct");
        assertThat(this.proxy.log()).contains("CONNECT");
    }

    @Test
    void theJvmsPropertiesComeFirstWithTheirNonProxyHosts() throws Exception {
        startOrigin(null);
        int closed = closedPort();
        Map<String, String> deadVariable = Map.of("HTTP_PROXY", "http://127.0.0.1:" + closed);
        List<String> viaProperties = List.of("-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + this.proxy.port());
        assertThat(probe(deadVariable, viaProperties, "env", url("http", this.address)))
                .containsExactly("OK 200 " + route("http", this.address) + " via " + this.proxy.name() + " | via tinyproxy");
        List<String> bypassed = new ArrayList<>(viaProperties);
        bypassed.add("-Dhttp.nonProxyHosts=example.com|" + this.address);
        assertThat(probe(deadVariable, bypassed, "env", url("http", this.address)))
                .containsExactly("OK 200 " + route("http", this.address) + " | direct");
    }

    @Test
    void aSocksProxyInTheJvmFailsAtStartUp() throws Exception {
        assertThat(probe(Map.of(), List.of("-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + closedPort()), "env"))
                .singleElement().asString()
                .startsWith("START-FAILED proxy.from-environment: the JVM system property socksProxyHost names a SOCKS "
                        + "proxy (127.0.0.1), which keepalive cannot use");
    }

    @Test
    void aSocksVariableFailsAtStartUpWithoutItsCredentials() throws Exception {
        assertThat(probe(Map.of("HTTPS_PROXY", "socks5://alice:pw-secret@127.0.0.1:1080"), List.of(), "env"))
                .singleElement().asString()
                .startsWith("START-FAILED proxy.from-environment: the environment variable HTTPS_PROXY is a SOCKS "
                        + "proxy (socks5://127.0.0.1:1080)")
                .doesNotContain("alice").doesNotContain("pw-secret");
    }

    /**
     * A plain java.net.Socket follows socksProxyHost on its own (for any target outside the JDK's default
     * socksNonProxyHosts, which lists loopback); the transport's connections never do.
     */
    @Test
    void aDirectTransportNeverGoesThroughTheJvmsSocksProxy() throws Exception {
        startOrigin(null);
        assertThat(probe(Map.of(), List.of("-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + closedPort()), "direct",
                url("http", this.address))).containsExactly("OK 200 " + route("http", this.address) + " | direct");
    }

    // --- helpers

    /** Runs {@link ProxyProbe} in a JVM with exactly these proxy variables (inherited ones removed). */
    private List<String> probe(Map<String, String> env, List<String> jvmOptions, String mode, String... urls)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ProxyProbe.class.getName(), mode));
        Collections.addAll(command, urls);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(this.dir.resolve("probe.out").toFile());
        builder.environment().keySet().removeIf((name) -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        }
        finally {
            process.destroyForcibly();
        }
        String output = Files.readString(this.dir.resolve("probe.out"));
        assertThat(process.exitValue()).as(output).isZero();
        // tinyproxy's Via names this machine and its version: "via 1.1 host (tinyproxy/1.11.1)" reads "via tinyproxy".
        return output.lines().filter((l) -> l.startsWith("OK ") || l.startsWith("FAIL ") || l.startsWith("START-FAILED "))
                .map((l) -> l.replaceAll("\\| via 1\\.1 .*\\(tinyproxy/[^)]*\\)$", "| via tinyproxy"))
                .toList();
    }

    /** An origin on every address that answers with the Via header it was sent, or "direct". */
    private void startOrigin(HeldCertificate certificate) throws IOException {
        this.origin = new MockWebServer();
        if (certificate != null) {
            this.origin.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build()
                    .sslSocketFactory());
        }
        this.origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String via = request.getHeaders().get("Via");
                return new MockResponse.Builder().body(via == null ? "direct" : "via " + via).build();
            }
        });
        this.origin.start(InetAddress.getByName("0.0.0.0"), 0);
    }

    private String route(String scheme, String host) {
        return scheme + "://" + host + ":" + this.origin.getPort();
    }

    private String url(String scheme, String host) {
        return route(scheme, host) + "/probe";
    }

    private Path trustStore(HeldCertificate certificate) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("origin", certificate.certificate());
        Path file = this.dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** This machine's first non-loopback IPv4 address: a target the environment's proxy applies to. */
    private static String nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        }
        Assumptions.abort("this machine has no non-loopback IPv4 address for a proxied target");
        return null;
    }
}
