package dev.keepalive.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import dev.keepalive.autoconfigure.actuate.HttpBodiesEndpoint;
import dev.keepalive.autoconfigure.actuate.HttpPoolsEndpoint;
import dev.keepalive.autoconfigure.actuate.KeepAliveEndpointAutoConfiguration;
import dev.keepalive.autoconfigure.actuate.KeepAliveHealthContributorAutoConfiguration;
import dev.keepalive.autoconfigure.actuate.KeepAliveHealthIndicator;
import dev.keepalive.autoconfigure.metrics.KeepAliveMetrics;
import dev.keepalive.autoconfigure.metrics.KeepAliveMetricsAutoConfiguration;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.PoolSnapshot;
import dev.keepalive.transport.RouteSnapshot;
import io.micrometer.core.instrument.binder.MeterBinder;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link KeepAliveAutoConfiguration} and the actuator and metrics auto-configurations that hang
 * off it, with Boot's HTTP client and REST client auto-configurations present as in an application.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeepAliveAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeepAliveAutoConfiguration.class,
                KeepAliveEndpointAutoConfiguration.class, KeepAliveHealthContributorAutoConfiguration.class,
                KeepAliveMetricsAutoConfiguration.class, SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
                ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
                RestTemplateAutoConfiguration.class));

    private MockWebServer server;

    @BeforeEach
    void startServer() throws Exception {
        this.server = new MockWebServer();
        this.server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stopServer() {
        this.server.close();
    }

    private String route() {
        return "http://127.0.0.1:" + this.server.getPort();
    }

    private String url(String path) {
        return route() + path;
    }

    @Test
    void restClientAndRestTemplateFromBootsBuildersRunOnTheOneTransport() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(KeepAliveTransport.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                .isInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
            KeepAliveTransport transport = context.getBean(KeepAliveTransport.class);
            this.server.enqueue(new MockResponse.Builder().body("one").build());
            this.server.enqueue(new MockResponse.Builder().body("two").build());
            RestClient restClient = context.getBean(RestClient.Builder.class).build();
            assertThat(restClient.get().uri(url("/a")).retrieve().body(String.class)).isEqualTo("one");
            RestTemplateBuilder restTemplateBuilder = context.getBean(RestTemplateBuilder.class);
            assertThat(restTemplateBuilder.build().getForObject(url("/b"), String.class)).isEqualTo("two");
            RouteSnapshot route = transport.pool().route(route()).orElseThrow();
            assertThat(route.opened()).isEqualTo(1);
            assertThat(route.reused()).isEqualTo(1);
            assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getConnectionIndex()).isZero();
            assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getConnectionIndex()).isZero();
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void bootsRestClientGetsGzipDecodedUnlessCompressionIsDisabled(boolean disabled) throws Exception {
        byte[] compressed;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write("{\"compressed\":true}".getBytes(StandardCharsets.UTF_8));
        }
        compressed = bytes.toByteArray();
        this.server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
            .body(new Buffer().write(compressed))
            .build());
        this.runner.withPropertyValues("keepalive.disable-compression=" + disabled).run((context) -> {
            ResponseEntity<byte[]> response = context.getBean(RestClient.Builder.class)
                .build()
                .get()
                .uri(url("/gz"))
                .retrieve()
                .toEntity(byte[].class);
            String acceptEncoding = this.server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Accept-Encoding");
            if (disabled) {
                assertThat(response.getBody()).isEqualTo(compressed);
                assertThat(response.getHeaders().getFirst("Content-Encoding")).isEqualTo("gzip");
                assertThat(acceptEncoding).isNull();
            }
            else {
                assertThat(response.getBody()).asString().isEqualTo("{\"compressed\":true}");
                assertThat(response.getHeaders().containsHeader("Content-Encoding")).isFalse();
                assertThat(acceptEncoding).isEqualTo("gzip");
            }
        });
    }

    @Test
    void transportIsClosedWithTheContext() {
        KeepAliveTransport[] transport = new KeepAliveTransport[1];
        this.runner.run((context) -> {
            transport[0] = context.getBean(KeepAliveTransport.class);
            this.server.enqueue(new MockResponse.Builder().body("one").build());
            context.getBean(RestClient.Builder.class).build().get().uri(url("/")).retrieve().toBodilessEntity();
            assertThat(transport[0].pool().idle()).isEqualTo(1);
        });
        PoolSnapshot afterClose = transport[0].pool();
        assertThat(afterClose.idle()).isZero();
        assertThat(afterClose.closedBy().get(CloseReason.SHUTDOWN)).isEqualTo(1);
    }

    @Test
    void userDefinedRequestFactoryBuilderWins() {
        this.runner.withUserConfiguration(UserBuilderConfiguration.class).run((context) -> {
            ClientHttpRequestFactoryBuilder<?> builder = context.getBean(ClientHttpRequestFactoryBuilder.class);
            assertThat(builder).isSameAs(context.getBean("userBuilder"));
            this.server.enqueue(new MockResponse.Builder().body("one").build());
            String body = context.getBean(RestClient.Builder.class).build().get().uri(url("/")).retrieve()
                .body(String.class);
            assertThat(body).isEqualTo("one");
            assertThat(context.getBean(KeepAliveTransport.class).pool().routes()).isEmpty();
        });
    }

    @ParameterizedTest
    @CsvSource({ "jdk, org.springframework.http.client.JdkClientHttpRequestFactory",
            "simple, org.springframework.http.client.SimpleClientHttpRequestFactory",
            "http-components, org.springframework.http.client.HttpComponentsClientHttpRequestFactory" })
    void bootsExplicitFactoryChoiceWinsAndIsLoggedOnce(String factory, Class<?> factoryClass, CapturedOutput output) {
        this.runner.withPropertyValues("spring.http.clients.imperative.factory=" + factory).run((context) -> {
            assertThat(context).hasNotFailed()
                .doesNotHaveBean(KeepAliveTransport.class)
                .doesNotHaveBean(KeepAliveProperties.class)
                .doesNotHaveBean(HttpPoolsEndpoint.class)
                .doesNotHaveBean(KeepAliveHealthIndicator.class)
                .doesNotHaveBean(KeepAliveMetrics.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                .isNotInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
            this.server.enqueue(new MockResponse.Builder().body("one").build());
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThat(client.get().uri(url("/")).retrieve().body(String.class)).isEqualTo("one");
            ClientHttpRequestFactory requestFactory = context.getBean(RestTemplateBuilder.class).build()
                .getRequestFactory();
            assertThat(requestFactory).isInstanceOf(factoryClass);
        });
        String line = "spring.http.clients.imperative.factory is set to '" + factory + "'";
        assertThat(output.getOut().lines().filter((l) -> l.contains(line)))
            .singleElement(as(InstanceOfAssertFactories.STRING))
            .contains("INFO")
            .contains("not keepalive");
    }

    @Test
    void withoutAnExplicitFactoryChoiceNothingIsLogged(CapturedOutput output) {
        this.runner.run((context) -> assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
            .isInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class));
        assertThat(output.getOut()).doesNotContain("spring.http.clients.imperative.factory");
    }

    @Test
    void disabledConfiguresNothing() {
        this.runner.withPropertyValues("keepalive.enabled=false").run((context) -> {
            assertThat(context).doesNotHaveBean(KeepAliveTransport.class)
                .doesNotHaveBean(KeepAliveProperties.class)
                .doesNotHaveBean(HttpPoolsEndpoint.class)
                .doesNotHaveBean(HttpBodiesEndpoint.class)
                .doesNotHaveBean(KeepAliveHealthIndicator.class)
                .doesNotHaveBean(KeepAliveMetrics.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                .isInstanceOf(HttpComponentsClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void withoutTheTransportOnTheClassPathNothingIsConfigured() {
        this.runner.withClassLoader(new FilteredClassLoader(KeepAliveTransport.class)).run((context) -> {
            assertThat(context).doesNotHaveBean(KeepAliveProperties.class)
                .doesNotHaveBean(KeepAliveMetrics.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                .isNotInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void actuatorPartsAreConfiguredWhenActuatorIsPresentAndTheEndpointsAreExposed() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=httppools,httpbodies")
            .run((context) -> assertThat(context).hasSingleBean(HttpPoolsEndpoint.class)
                .hasSingleBean(HttpBodiesEndpoint.class)
                .hasBean("keepaliveHealthIndicator")
                .hasSingleBean(KeepAliveMetrics.class));
    }

    @Test
    void endpointsBackOffWhenNotExposed() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class)
            .doesNotHaveBean(HttpBodiesEndpoint.class)
            .hasBean("keepaliveHealthIndicator"));
    }

    @Test
    void healthIndicatorCanBeTurnedOff() {
        this.runner.withPropertyValues("management.health.keepalive.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(KeepAliveHealthIndicator.class));
    }

    @Test
    void withoutActuatorThereAreNoEndpointsAndNoHealthIndicator() {
        this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
            .withPropertyValues("management.endpoints.web.exposure.include=*")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(KeepAliveTransport.class)
                    .doesNotHaveBean(HttpPoolsEndpoint.class)
                    .doesNotHaveBean(HttpBodiesEndpoint.class)
                    .doesNotHaveBean(KeepAliveHealthIndicator.class);
                assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
            });
    }

    @Test
    void withoutMicrometerThereIsNoMeterBinder() {
        this.runner.withClassLoader(new FilteredClassLoader(MeterBinder.class)).run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(KeepAliveTransport.class)
                .doesNotHaveBean(KeepAliveMetrics.class);
        });
    }

    @Test
    void bootsReadTimeoutWinsOverKeepalives() {
        this.runner.withPropertyValues("keepalive.read-timeout=100ms", "spring.http.clients.read-timeout=10s")
            .run((context) -> {
                this.server.enqueue(new MockResponse.Builder().body("late")
                    .headersDelay(500, TimeUnit.MILLISECONDS)
                    .build());
                String body = context.getBean(RestClient.Builder.class).build().get().uri(url("/")).retrieve()
                    .body(String.class);
                assertThat(body).isEqualTo("late");
            });
    }

    @ParameterizedTest
    @ValueSource(strings = { "keepalive.read-timeout=100ms", "spring.http.clients.read-timeout=100ms" })
    void readTimeoutFromEitherPropertyApplies(String readTimeout) {
        this.runner.withPropertyValues(readTimeout).run((context) -> {
            this.server.enqueue(new MockResponse.Builder().body("late")
                .headersDelay(2, TimeUnit.SECONDS)
                .build());
            RestClient restClient = context.getBean(RestClient.Builder.class).build();
            assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> restClient.get().uri(url("/")).retrieve().body(String.class));
        });
    }

    @Test
    void redirectsAreFollowedByDefault() {
        this.runner.run((context) -> {
            this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", url("/target")).build());
            this.server.enqueue(new MockResponse.Builder().body("target").build());
            ResponseEntity<String> response = context.getBean(RestClient.Builder.class).build().get()
                .uri(url("/start")).retrieve().toEntity(String.class);
            assertThat(response.getStatusCode().value()).isEqualTo(200);
            assertThat(response.getBody()).isEqualTo("target");
        });
    }

    @Test
    void redirectsAreNotFollowedWhenBootSaysDontFollow() {
        this.runner.withPropertyValues("spring.http.clients.redirects=dont-follow").run((context) -> {
            this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", url("/target")).build());
            ResponseEntity<Void> response = context.getBean(RestClient.Builder.class).build().get()
                .uri(url("/start")).retrieve().toBodilessEntity();
            assertThat(response.getStatusCode().value()).isEqualTo(302);
            assertThat(this.server.getRequestCount()).isEqualTo(1);
        });
    }

    @Test
    void customizersForOurBuilderApplyAndOthersAreSkipped() {
        this.runner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KeepAliveCustomizer.class).customized)
                .containsExactly(context.getBean(ClientHttpRequestFactoryBuilder.class));
            assertThat(context.getBean(HttpComponentsCustomizer.class).customized).isEmpty();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        @Bean
        KeepAliveCustomizer keepAliveCustomizer() {
            return new KeepAliveCustomizer();
        }

        @Bean
        HttpComponentsCustomizer httpComponentsCustomizer() {
            return new HttpComponentsCustomizer();
        }

    }

    static class KeepAliveCustomizer
            implements ClientHttpRequestFactoryBuilderCustomizer<KeepAliveClientHttpRequestFactoryBuilder> {

        final List<Object> customized = new CopyOnWriteArrayList<>();

        @Override
        public KeepAliveClientHttpRequestFactoryBuilder customize(KeepAliveClientHttpRequestFactoryBuilder builder) {
            this.customized.add(builder);
            return builder;
        }

    }

    static class HttpComponentsCustomizer
            implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

        final List<Object> customized = new CopyOnWriteArrayList<>();

        @Override
        public HttpComponentsClientHttpRequestFactoryBuilder customize(
                HttpComponentsClientHttpRequestFactoryBuilder builder) {
            this.customized.add(builder);
            return builder;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserBuilderConfiguration {

        @Bean
        ClientHttpRequestFactoryBuilder<?> userBuilder() {
            return ClientHttpRequestFactoryBuilder.of(SimpleClientHttpRequestFactory::new);
        }

    }

}
