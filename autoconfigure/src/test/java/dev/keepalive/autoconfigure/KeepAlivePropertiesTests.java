package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepalive.transport.InvalidSettingException;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveSettings.HostLimits;
import dev.keepalive.transport.KeepAliveTransport;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.keepalive.transport.StackCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for binding {@link KeepAliveProperties}, mapping them to the transport's settings, and the
 * start-up failures for invalid values.
 */
class KeepAlivePropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeepAliveAutoConfiguration.class));

    /**
     * The values themselves are the transport's: {@code KeepAliveSettingsTest} checks them against the design,
     * {@code KeepAlivePropertiesDefaultsTests} the properties and their metadata against them.
     */
    @Test
    void withoutPropertiesTheTransportGetsItsDefaults() {
        this.runner.run((context) -> {
            KeepAliveProperties properties = context.getBean(KeepAliveProperties.class);
            assertThat(properties.isEnabled()).isTrue();
            assertThat(properties.getHosts()).isEmpty();
            KeepAliveSettings settings = context.getBean(KeepAliveTransport.class).settings();
            // The proxy has no equality; KeepAlivePropertiesDefaultsTests compares what it is.
            assertThat(settings).usingRecursiveComparison()
                .ignoringFields("proxy")
                .isEqualTo(KeepAliveSettings.defaults());
        });
    }

    @Test
    void everyPropertyBindsAndReachesTheTransport() {
        with("keepalive.max-idle-conns=100", "keepalive.max-idle-conns-per-host=4",
                "keepalive.max-conns-per-host=8", "keepalive.acquire-timeout=2s", "keepalive.idle-conn-timeout=45s",
                "keepalive.max-conn-lifetime=10m", "keepalive.connect-timeout=3s",
                "keepalive.tls-handshake-timeout=4s", "keepalive.response-header-timeout=5s",
                "keepalive.read-timeout=6s", "keepalive.disable-keep-alives=true",
                "keepalive.validate-after-inactivity=500ms", "keepalive.drain.max-bytes=64KB",
                "keepalive.drain.timeout=50ms", "keepalive.leak-detection.threshold=1m",
                "keepalive.leak-detection.capture-stack=always", "keepalive.leak-detection.sample-rate=8",
                "keepalive.leak-detection.reclaim=false", "keepalive.disable-compression=true",
                "keepalive.expect-continue-timeout=250ms", "keepalive.hosts[api.example.com:443].max-conns=16",
                "keepalive.hosts[api.example.com:443].max-idle-conns=2",
                "keepalive.hosts[127.0.0.1:8081].max-idle-conns=1", "keepalive.shutdown-grace=3s")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                KeepAliveProperties properties = context.getBean(KeepAliveProperties.class);
                assertThat(properties.getMaxIdleConns()).isEqualTo(100);
                assertThat(properties.getHosts()).containsOnlyKeys("api.example.com:443", "127.0.0.1:8081");
                assertThat(properties.getHosts().get("127.0.0.1:8081").getMaxConns()).isNull();
                KeepAliveSettings settings = context.getBean(KeepAliveTransport.class).settings();
                assertThat(settings.pool().maxIdleConns()).isEqualTo(100);
                assertThat(settings.pool().maxIdleConnsPerHost()).isEqualTo(4);
                assertThat(settings.pool().maxConnsPerHost()).isEqualTo(8);
                assertThat(settings.pool().acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
                assertThat(settings.pool().idleConnTimeout()).isEqualTo(Duration.ofSeconds(45));
                assertThat(settings.pool().maxConnLifetime()).isEqualTo(Duration.ofMinutes(10));
                assertThat(settings.timeouts().connect()).isEqualTo(Duration.ofSeconds(3));
                assertThat(settings.timeouts().tlsHandshake()).isEqualTo(Duration.ofSeconds(4));
                assertThat(settings.timeouts().responseHeader()).isEqualTo(Duration.ofSeconds(5));
                assertThat(settings.timeouts().read()).isEqualTo(Duration.ofSeconds(6));
                assertThat(settings.disableKeepAlives()).isTrue();
                assertThat(settings.pool().validateAfterInactivity()).isEqualTo(Duration.ofMillis(500));
                assertThat(settings.drain().maxBytes()).isEqualTo(64 * 1024);
                assertThat(settings.drain().timeout()).isEqualTo(Duration.ofMillis(50));
                assertThat(settings.leakDetection().threshold()).isEqualTo(Duration.ofMinutes(1));
                assertThat(settings.leakDetection().captureStack()).isEqualTo(StackCapture.ALWAYS);
                assertThat(settings.leakDetection().sampleRate()).isEqualTo(8);
                assertThat(settings.leakDetection().reclaim()).isFalse();
                assertThat(settings.disableCompression()).isTrue();
                assertThat(settings.timeouts().expectContinue()).isEqualTo(Duration.ofMillis(250));
                assertThat(settings.timeouts().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
                assertThat(settings.pool().hosts()).containsEntry("api.example.com:443", new HostLimits(16, 2))
                    .containsEntry("127.0.0.1:8081", new HostLimits(null, 1));
            });
    }

    @Test
    void compressionAndExpectContinueAreDescribedInTheGeneratedMetadata() throws Exception {
        String json;
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        DocumentContext metadata = JsonPath.parse(json);
        List<Map<String, Object>> compression = metadata
            .read("$.properties[?(@.name == 'keepalive.disable-compression')]");
        assertThat(compression).singleElement().satisfies((property) -> {
            assertThat(property).containsEntry("type", "java.lang.Boolean").containsEntry("defaultValue", false);
            assertThat((String) property.get("description")).contains("gzip").contains("Accept-Encoding");
        });
        List<Map<String, Object>> expect = metadata
            .read("$.properties[?(@.name == 'keepalive.expect-continue-timeout')]");
        assertThat(expect).singleElement().satisfies((property) -> {
            assertThat(property).containsEntry("type", "java.time.Duration").containsEntry("defaultValue", "1s");
            assertThat((String) property.get("description")).contains("100-continue");
        });
    }

    @Test
    void negativeCapFailsStartUpNamingThePropertyAndValue() {
        with("keepalive.max-idle-conns=-1")
            .run((context) -> assertInvalid(context, "keepalive.max-idle-conns", "-1", "must not be negative"));
    }

    @Test
    void negativePerHostCapsFailStartUp() {
        with("keepalive.max-idle-conns-per-host=-2")
            .run((context) -> assertInvalid(context, "keepalive.max-idle-conns-per-host", "-2",
                    "must not be negative"));
        with("keepalive.max-conns-per-host=-3")
            .run((context) -> assertInvalid(context, "keepalive.max-conns-per-host", "-3", "must not be negative"));
    }

    @Test
    void negativeDurationFailsStartUpNamingThePropertyAndValue() {
        with("keepalive.acquire-timeout=-5s")
            .run((context) -> assertInvalid(context, "keepalive.acquire-timeout", "PT-5S", "must not be negative"));
        with("keepalive.leak-detection.threshold=-1ms")
            .run((context) -> assertInvalid(context, "keepalive.leak-detection.threshold", "PT-0.001S",
                    "must not be negative"));
        with("keepalive.drain.timeout=-1s")
            .run((context) -> assertInvalid(context, "keepalive.drain.timeout", "PT-1S", "must not be negative"));
        with("keepalive.expect-continue-timeout=-1s")
            .run((context) -> assertInvalid(context, "keepalive.expect-continue-timeout", "PT-1S",
                    "must not be negative"));
        with("keepalive.shutdown-grace=-2s")
            .run((context) -> assertInvalid(context, "keepalive.shutdown-grace", "PT-2S", "must not be negative"));
    }

    @Test
    void negativeDrainSizeFailsStartUp() {
        with("keepalive.drain.max-bytes=-1KB")
            .run((context) -> assertInvalid(context, "keepalive.drain.max-bytes", "-1024", "must not be negative"));
    }

    @Test
    void sampleRateBelowOneFailsStartUp() {
        with("keepalive.leak-detection.sample-rate=0")
            .run((context) -> assertInvalid(context, "keepalive.leak-detection.sample-rate", "0",
                    "must be at least 1"));
    }

    @Test
    void hostIdleCapAboveTheHostsTotalCapFailsStartUp() {
        with("keepalive.hosts[api.example.com:443].max-conns=4",
                    "keepalive.hosts[api.example.com:443].max-idle-conns=5")
            .run((context) -> assertInvalid(context, "keepalive.hosts[api.example.com:443].max-idle-conns", "5",
                    "must not exceed the host's total cap of 4"));
    }

    @Test
    void hostIdleCapAboveTheGlobalTotalCapFailsStartUp() {
        with("keepalive.max-conns-per-host=2", "keepalive.hosts[api.example.com:443].max-idle-conns=3")
            .run((context) -> assertInvalid(context, "keepalive.hosts[api.example.com:443].max-idle-conns", "3",
                    "must not exceed the host's total cap of 2"));
    }

    @Test
    void negativeHostCapFailsStartUp() {
        with("keepalive.hosts[api.example.com:443].max-conns=-1")
            .run((context) -> assertInvalid(context, "keepalive.hosts[api.example.com:443].max-conns", "-1",
                    "must not be negative"));
    }

    @Test
    void hostKeyWithoutPortFailsStartUp() {
        with("keepalive.hosts[api.example.com].max-conns=4")
            .run((context) -> assertInvalid(context, "keepalive.hosts", "api.example.com", "must be host:port"));
    }

    /**
     * A rule that only the transport's settings hold (no copy here could know it): without it the transport
     * failed later, on a {@code long} overflow, with no property named.
     */
    @Test
    void aRuleOnlyTheTransportHoldsFailsStartUpNamingThePropertyAndValue() {
        with("keepalive.idle-conn-timeout=1000000d")
            .run((context) -> assertInvalid(context, "keepalive.idle-conn-timeout", "PT24000000H",
                    "must not exceed 106751 days"));
        with("keepalive.drain.timeout=1000000d")
            .run((context) -> assertInvalid(context, "keepalive.drain.timeout", "PT24000000H",
                    "must not exceed 106751 days"));
    }

    /** What a user sees: Boot's failure analysis, naming the property, its value and where it was set. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void anInvalidPropertyGetsBootsFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(KeepAliveAutoConfiguration.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatException().isThrownBy(() -> application.run("--keepalive.hosts[api.example.com:443].max-conns=4",
                "--keepalive.hosts[api.example.com:443].max-idle-conns=5"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid value '5' for configuration property "
                    + "'keepalive.hosts[api.example.com:443].max-idle-conns'")
            .contains("must not exceed the host's total cap of 4 connections");
    }

    @Test
    void globalIdleCapAboveTheTotalCapIsAllowedAndShrinks() {
        // The sample application's max-conns-per-host: 8 keeps the default idle cap of 32.
        with("keepalive.max-conns-per-host=8")
            .run((context) -> assertThat(context).hasNotFailed());
    }

    /**
     * The runner with these {@code name=value} properties. Unlike {@code withPropertyValues}, splits at the
     * first {@code =} only, so that {@code host:port} map keys survive.
     */
    /** Rule 17: an IPv6 literal's override is keyed as the route shows it, one pair of brackets. */
    @Test
    void ipv6HostOverrideBindsUnderItsBracketedKey() {
        with("keepalive.hosts[[::1]:8080].max-conns=3", "keepalive.hosts[[::1]:8080].max-idle-conns=2")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(KeepAliveProperties.class).getHosts()).containsOnlyKeys("[::1]:8080");
                KeepAliveSettings settings = context.getBean(KeepAliveTransport.class).settings();
                assertThat(settings.pool().maxConnsFor("[::1]:8080")).isEqualTo(3);
                assertThat(settings.pool().maxIdleConnsFor("[::1]:8080")).isEqualTo(2);
            });
    }

    private ApplicationContextRunner with(String... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            map.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return this.runner.withInitializer((context) -> context.getEnvironment()
            .getPropertySources()
            .addFirst(new MapPropertySource("test", map)));
    }

    /**
     * Start-up failed with Boot's error for an invalid property, naming it and its value, and that error was
     * raised by the transport's own rule for the setting (attached to it), not by a copy of the rule here.
     */
    private static void assertInvalid(AssertableApplicationContext context, String name, String value,
            String reason) {
        assertThat(context).hasFailed();
        InvalidConfigurationPropertyValueException failure = findCause(context.getStartupFailure(),
                InvalidConfigurationPropertyValueException.class);
        assertThat(failure).as("failure of " + name).isNotNull();
        assertThat(failure.getName()).isEqualTo(name);
        assertThat(failure).hasMessageContaining("Property " + name + " with value '" + value + "' is invalid")
            .hasMessageContaining(reason);
        assertThat(failure.getSuppressed()).singleElement()
            .isInstanceOfSatisfying(InvalidSettingException.class,
                    (rule) -> assertThat("keepalive." + rule.setting()).isEqualTo(name));
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

}
