package dev.keepalive.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code keepalive.proxy.*}: binding, what reaches the transport, the generated metadata, and start-up
 * failures that name the property and never show the password. (What a proxy does with requests is tested
 * against tinyproxy in the transport's ProxyTest and in ProxyApplicationTests.)
 */
class ProxyPropertiesTests {

    private static final String SECRET = "pw-s3cret";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeepAliveAutoConfiguration.class));

    @Test
    void byDefaultTheProxyComesFromTheEnvironment() {
        this.runner.run((context) -> {
            KeepAliveProperties.Proxy proxy = context.getBean(KeepAliveProperties.class).getProxy();
            assertThat(proxy.getUrl()).isNull();
            assertThat(proxy.getNoProxy()).isEmpty();
            assertThat(proxy.isFromEnvironment()).isTrue();
            ProxyConfig config = proxyOf(context);
            assertThat(config.hasUrl()).isFalse();
            assertThat(config.isFromEnvironment()).isTrue();
        });
    }

    @Test
    void urlAndNoProxyReachTheTransportAndTheUrlWinsOverTheEnvironment() {
        this.runner
            .withPropertyValues("keepalive.proxy.url=http://alice:" + SECRET + "@proxy.corp:3128",
                    "keepalive.proxy.no-proxy=.internal.example, 10.0.0.0/8,db:5432")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                ProxyConfig config = proxyOf(context);
                assertThat(config.hasUrl()).isTrue();
                assertThat(config.noProxy()).containsExactly(".internal.example", "10.0.0.0/8", "db:5432");
                assertThat(config).hasToString(
                        "ProxyConfig[url http://proxy.corp:3128, no-proxy [.internal.example, 10.0.0.0/8, db:5432]]");
            });
    }

    @Test
    void withoutUrlAndFromEnvironmentOffRequestsGoDirect() {
        this.runner.withPropertyValues("keepalive.proxy.from-environment=false", "keepalive.proxy.url=")
            .run((context) -> {
                ProxyConfig config = proxyOf(context);
                assertThat(config.hasUrl()).isFalse();
                assertThat(config.isFromEnvironment()).isFalse();
            });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "socks5://alice:pw-s3cret@socks.corp:1080 | keepalive.proxy.url is a SOCKS proxy (socks5://socks.corp:1080), which keepalive cannot use",
            "https://alice:pw-s3cret@proxy.corp:3128  | keepalive.proxy.url (https://proxy.corp:3128) asks for TLS to the proxy",
            "ftp://alice:pw-s3cret@proxy.corp:21      | keepalive.proxy.url must be http://[user:password@]host:port, but its scheme is 'ftp'",
            "http://alice:pw-s3cret@:3128             | keepalive.proxy.url has no host",
            "http://alice:pw s3cret@proxy.corp:3128   | keepalive.proxy.url is not a valid URL",
            "http://alice:pw-s3cret@proxy.corp:3128/p | keepalive.proxy.url must be http://[user:password@]host:port with no path" })
    void aBadUrlFailsStartUpNamingThePropertyWithoutThePassword(String url, String message) {
        this.runner.withPropertyValues("keepalive.proxy.url=" + url).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining(message);
            assertNoSecret(context.getStartupFailure());
        });
    }

    /**
     * What a user sees at start-up. Boot's analysis of an invalid property prints the value it finds in the
     * environment, so an invalid proxy URL, whose value may hold a password, must not fail that way.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aBadUrlsStartUpFailureNamesThePropertyAndNeverPrintsThePassword(CapturedOutput output) {
        SpringApplication application = new SpringApplication(KeepAliveAutoConfiguration.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatException()
            .isThrownBy(() -> application.run("--keepalive.proxy.url=socks5://alice:" + SECRET + "@socks.corp:1080"));
        assertThat(output).contains("keepalive.proxy.url is a SOCKS proxy (socks5://socks.corp:1080)")
            .doesNotContain(SECRET)
            .doesNotContain("alice");
    }

    @Test
    void aSocksProxyInTheJvmFailsStartUpNamingItUnlessTurnedOffOrOverridden() {
        String before = System.getProperty("socksProxyHost");
        System.setProperty("socksProxyHost", "socks.corp");
        try {
            this.runner.run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .hasMessageContaining("keepalive.proxy.from-environment: the JVM system property socksProxyHost "
                            + "names a SOCKS proxy (socks.corp), which keepalive cannot use");
            });
            this.runner.withPropertyValues("keepalive.proxy.from-environment=false")
                .run((context) -> assertThat(context).hasNotFailed());
            this.runner.withPropertyValues("keepalive.proxy.url=http://proxy.corp:3128")
                .run((context) -> assertThat(context).hasNotFailed());
        }
        finally {
            if (before == null) {
                System.clearProperty("socksProxyHost");
            }
            else {
                System.setProperty("socksProxyHost", before);
            }
        }
    }

    @Test
    void theProxyPropertiesAreDescribedInTheGeneratedMetadata() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        DocumentContext metadata = JsonPath.parse(json);
        assertThat(property(metadata, "keepalive.proxy.url")).containsEntry("type", "java.lang.String")
            .satisfies((p) -> assertThat((String) p.get("description")).contains("http://[user:password@]host:port")
                .contains("Proxy-Authorization"));
        assertThat(property(metadata, "keepalive.proxy.no-proxy"))
            .containsEntry("type", "java.util.List<java.lang.String>")
            .satisfies((p) -> assertThat((String) p.get("description")).contains("NO_PROXY").contains("CIDR"));
        assertThat(property(metadata, "keepalive.proxy.from-environment")).containsEntry("type", "java.lang.Boolean")
            .containsEntry("defaultValue", true)
            .satisfies((p) -> assertThat((String) p.get("description")).contains("HTTPS_PROXY")
                .contains("https.proxyHost")
                .contains("loopback")
                .contains("SOCKS"));
    }

    private static Map<String, Object> property(DocumentContext metadata, String name) {
        List<Map<String, Object>> found = metadata.read("$.properties[?(@.name == '" + name + "')]");
        assertThat(found).as(name).hasSize(1);
        return found.get(0);
    }

    private static ProxyConfig proxyOf(AssertableApplicationContext context) {
        return context.getBean(KeepAliveTransport.class).settings().proxy();
    }

    private static void assertNoSecret(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET).doesNotContain("pw s3cret")
                .doesNotContain("alice");
        }
    }

}
