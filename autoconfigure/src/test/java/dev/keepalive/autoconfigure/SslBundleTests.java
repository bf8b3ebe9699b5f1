package dev.keepalive.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLException;

import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Boot's SSL bundle ({@code spring.http.clients.ssl.bundle}) is how an application trusts a server that
 * the JDK does not: with it RestClient from Boot's builder reaches a self-signed server over keepalive,
 * without it the call is refused, and a certificate for another host is refused even when trusted.
 */
class SslBundleTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeepAliveAutoConfiguration.class, SslAutoConfiguration.class,
                HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
                RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class));

    @TempDir
    Path dir;

    private MockWebServer server;

    @AfterEach
    void stopServer() {
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void selfSignedServerIsTrustedThroughTheBundle() throws Exception {
        HeldCertificate certificate = startHttps("127.0.0.1");
        this.runner.withPropertyValues(bundleTrusting(certificate)).run((context) -> {
            this.server.enqueue(new MockResponse.Builder().body("secure").build());
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThat(client.get().uri(url()).retrieve().body(String.class)).isEqualTo("secure");
            assertThat(context.getBean(KeepAliveTransport.class).pool().route(route())).isPresent();
        });
    }

    @Test
    void clientsBuiltFromTheBuildersWithOneBundleShareOneRouteAndOneConnection() throws Exception {
        HeldCertificate certificate = startHttps("127.0.0.1");
        this.runner.withPropertyValues(bundleTrusting(certificate)).withPropertyValues("keepalive.max-conns-per-host=4")
            .run((context) -> {
                for (int i = 0; i < 3; i++) {
                    this.server.enqueue(new MockResponse.Builder().body("call " + i).build());
                }
                RestClient first = context.getBean(RestClient.Builder.class).build();
                RestClient second = context.getBean(RestClient.Builder.class).build();
                RestTemplateBuilder templates = context.getBean(RestTemplateBuilder.class);
                assertThat(first.get().uri(url()).retrieve().body(String.class)).isEqualTo("call 0");
                assertThat(second.get().uri(url()).retrieve().body(String.class)).isEqualTo("call 1");
                assertThat(templates.build().getForObject(url(), String.class)).isEqualTo("call 2");
                PoolSnapshot pool = context.getBean(KeepAliveTransport.class).pool();
                assertThat(pool.routes()).extracting(RouteSnapshot::route).containsExactly(route());
                RouteSnapshot route = pool.routes().get(0);
                assertThat(route.opened()).isEqualTo(1);
                assertThat(route.reused()).isEqualTo(2);
                assertThat(route.connections()).hasSize(1);
                assertThat(pool.opened()).isEqualTo(1);
                for (int i = 0; i < 3; i++) {
                    assertThat(this.server.takeRequest().getConnectionIndex()).isZero();
                }
            });
    }

    @Test
    void aReloadedBundleIsANewConfigurationOnANewConnection() throws Exception {
        HeldCertificate certificate = startHttps("127.0.0.1");
        this.runner.withPropertyValues(bundleTrusting(certificate)).run((context) -> {
            for (int i = 0; i < 3; i++) {
                this.server.enqueue(new MockResponse.Builder().body("call " + i).build());
            }
            ClientHttpRequestFactoryBuilder<?> factories = context.getBean(ClientHttpRequestFactoryBuilder.class);
            SslBundleRegistry registry = context.getBean(SslBundleRegistry.class);
            SslBundles bundles = context.getBean(SslBundles.class);
            SslBundle before = bundles.getBundle("test-server");
            get(factories.build(HttpClientSettings.ofSslBundle(before)), "call 0");
            get(factories.build(HttpClientSettings.ofSslBundle(bundles.getBundle("test-server"))), "call 1");
            registry.updateBundle("test-server", SslBundle.of(before.getStores()));
            SslBundle reloaded = bundles.getBundle("test-server");
            assertThat(reloaded).isNotSameAs(before);
            get(factories.build(HttpClientSettings.ofSslBundle(reloaded)), "call 2");
            assertThat(context.getBean(KeepAliveTransport.class).pool().opened()).isEqualTo(2);
            assertThat(this.server.takeRequest().getConnectionIndex()).isZero();
            assertThat(this.server.takeRequest().getConnectionIndex()).isZero();
            assertThat(this.server.takeRequest().getConnectionIndex()).isOne();
        });
    }

    private void get(ClientHttpRequestFactory factory, String expected) {
        RestClient client = RestClient.builder().requestFactory(factory).build();
        assertThat(client.get().uri(url()).retrieve().body(String.class)).isEqualTo(expected);
    }

    @Test
    void selfSignedServerIsRefusedWithoutTheBundle() throws Exception {
        startHttps("127.0.0.1");
        this.runner.run((context) -> {
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> client.get().uri(url()).retrieve().body(String.class))
                .withCauseInstanceOf(SSLException.class)
                .withMessageContaining("TLS handshake with " + route() + " failed");
        });
    }

    @Test
    void certificateForAnotherHostIsRefusedEvenThroughTheBundle() throws Exception {
        HeldCertificate certificate = startHttps("other.example");
        this.runner.withPropertyValues(bundleTrusting(certificate)).run((context) -> {
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> client.get().uri(url()).retrieve().body(String.class))
                .withCauseInstanceOf(SSLException.class)
                .withMessageContaining("TLS handshake with " + route() + " failed");
        });
    }

    private HeldCertificate startHttps(String host) throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder().commonName(host)
            .addSubjectAlternativeName(host)
            .build();
        this.server = new MockWebServer();
        this.server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate)
            .build()
            .sslSocketFactory());
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        return certificate;
    }

    private String[] bundleTrusting(HeldCertificate certificate) throws Exception {
        Path pem = Files.writeString(this.dir.resolve("server.pem"), certificate.certificatePem());
        return new String[] { "spring.ssl.bundle.pem.test-server.truststore.certificate=file:" + pem,
                "spring.http.clients.ssl.bundle=test-server" };
    }

    private String route() {
        return "https://127.0.0.1:" + this.server.getPort();
    }

    private String url() {
        return route() + "/";
    }

}
