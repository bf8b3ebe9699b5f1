package dev.keepalive.transport;

import java.time.Duration;
import java.util.Map;

import dev.keepalive.transport.KeepAliveSettings.Drain;
import dev.keepalive.transport.KeepAliveSettings.HostLimits;
import dev.keepalive.transport.KeepAliveSettings.LeakDetection;
import dev.keepalive.transport.KeepAliveSettings.Timeouts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The settings' groups, defaults and rules: each rule lives in one group's constructor and names its setting as
 * the {@code keepalive.*} property does, without the prefix.
 */
class KeepAliveSettingsTest {

    @Test
    void theBuilderFillsTheGroupsAsThePropertiesAreGrouped() {
        KeepAliveSettings settings = KeepAliveSettings.builder()
            .maxIdleConns(100)
            .maxIdleConnsPerHost(4)
            .maxConnsPerHost(8)
            .acquireTimeout(Duration.ofSeconds(2))
            .idleConnTimeout(Duration.ofSeconds(45))
            .maxConnLifetime(Duration.ofMinutes(10))
            .validateAfterInactivity(Duration.ofMillis(500))
            .host("API.example.com:443", new HostLimits(16, 2))
            .connectTimeout(Duration.ofSeconds(3))
            .tlsHandshakeTimeout(Duration.ofSeconds(4))
            .responseHeaderTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(6))
            .expectContinueTimeout(Duration.ofMillis(250))
            .shutdownGrace(Duration.ofSeconds(7))
            .drainMaxBytes(1024)
            .drainTimeout(Duration.ofMillis(50))
            .leakThreshold(Duration.ofMinutes(1))
            .captureStack(StackCapture.ALWAYS)
            .sampleRate(8)
            .reclaimLeaks(false)
            .trackBodies(false)
            .disableKeepAlives(true)
            .disableCompression(true)
            .proxy(ProxyConfig.direct())
            .build();

        assertThat(settings.pool()).isEqualTo(new KeepAliveSettings.Pool(100, 4, 8, Duration.ofSeconds(2),
                Duration.ofSeconds(45), Duration.ofMinutes(10), Duration.ofMillis(500),
                Map.of("api.example.com:443", new HostLimits(16, 2))));
        assertThat(settings.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(4),
                Duration.ofSeconds(5), Duration.ofSeconds(6), Duration.ofMillis(250), Duration.ofSeconds(7)));
        assertThat(settings.drain()).isEqualTo(new Drain(1024, Duration.ofMillis(50)));
        assertThat(settings.leakDetection())
            .isEqualTo(new LeakDetection(Duration.ofMinutes(1), StackCapture.ALWAYS, 8, false, false));
        assertThat(settings.disableKeepAlives()).isTrue();
        assertThat(settings.disableCompression()).isTrue();
        assertThat(settings.proxy()).isSameAs(ProxyConfig.direct());
    }

    @Test
    void defaultsAreDesignSection4() {
        KeepAliveSettings defaults = KeepAliveSettings.builder().proxy(ProxyConfig.direct()).build();

        assertThat(defaults.pool()).isEqualTo(new KeepAliveSettings.Pool(256, 32, 0, Duration.ofSeconds(10),
                Duration.ofSeconds(90), Duration.ZERO, Duration.ofMillis(5), Map.of()));
        assertThat(defaults.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(10)));
        assertThat(defaults.drain()).isEqualTo(new Drain(256 * 1024, Duration.ofMillis(100)));
        assertThat(defaults.leakDetection())
            .isEqualTo(new LeakDetection(Duration.ofSeconds(30), StackCapture.SAMPLED, 64, true, true));
        assertThat(defaults.disableKeepAlives()).isFalse();
        assertThat(defaults.disableCompression()).isFalse();
    }

    @Test
    void perHostCapsFallBackToTheGlobalOnesAndTheIdleCapNeverExceedsTheTotal() {
        KeepAliveSettings.Pool pool = KeepAliveSettings.builder()
            .maxConnsPerHost(8)
            .host("a:80", new HostLimits(2, null))
            .host("b:80", new HostLimits(null, 3))
            .build()
            .pool();

        assertThat(pool.maxConnsFor("a:80")).isEqualTo(2);
        assertThat(pool.maxIdleConnsFor("a:80")).as("the global 32 shrinks to the host's total").isEqualTo(2);
        assertThat(pool.maxConnsFor("b:80")).isEqualTo(8);
        assertThat(pool.maxIdleConnsFor("b:80")).isEqualTo(3);
        assertThat(pool.maxConnsFor("c:80")).isEqualTo(8);
        assertThat(pool.maxIdleConnsFor("c:80")).isEqualTo(8);
    }

    @Test
    void eachRuleNamesItsSettingAsThePropertyDoesAndShowsTheValue() {
        assertInvalid(KeepAliveSettings.builder().maxIdleConns(-1), "max-idle-conns", -1L, "must not be negative");
        assertInvalid(KeepAliveSettings.builder().maxConnsPerHost(-3), "max-conns-per-host", -3L,
                "must not be negative");
        assertInvalid(KeepAliveSettings.builder().acquireTimeout(Duration.ofSeconds(-5)), "acquire-timeout",
                Duration.ofSeconds(-5), "must not be negative");
        assertInvalid(KeepAliveSettings.builder().readTimeout(null), "read-timeout", null, "must be set");
        assertInvalid(KeepAliveSettings.builder().drainMaxBytes(-1024), "drain.max-bytes", -1024L,
                "must not be negative");
        assertInvalid(KeepAliveSettings.builder().leakThreshold(Duration.ofMillis(-1)), "leak-detection.threshold",
                Duration.ofMillis(-1), "must not be negative");
        assertInvalid(KeepAliveSettings.builder().captureStack(null), "leak-detection.capture-stack", null,
                "must be set");
        assertInvalid(KeepAliveSettings.builder().sampleRate(0), "leak-detection.sample-rate", 0,
                "must be at least 1");
        assertInvalid(KeepAliveSettings.builder().host("api.example.com:443", new HostLimits(-1, null)),
                "hosts[api.example.com:443].max-conns", -1L, "must not be negative");
        assertInvalid(KeepAliveSettings.builder().host("api.example.com:443", new HostLimits(4, 5)),
                "hosts[api.example.com:443].max-idle-conns", 5, "must not exceed the host's total cap of 4 connections");
        assertInvalid(KeepAliveSettings.builder().maxConnsPerHost(2).host("API.example.com:443", new HostLimits(null, 3)),
                "hosts[API.example.com:443].max-idle-conns", 3, "must not exceed the host's total cap of 2 connections");
    }

    @Test
    void theMessageIsTheSettingTheReasonAndTheValue() {
        assertThatExceptionOfType(InvalidSettingException.class)
            .isThrownBy(() -> KeepAliveSettings.builder().expectContinueTimeout(Duration.ofMillis(-1)).build())
            .withMessage("expect-continue-timeout must not be negative, but was PT-0.001S");
    }

    @Test
    void aHostKeyMustBeHostAndPort() {
        for (String key : new String[] { "api.example.com", "api.example.com:", "api.example.com:0",
                "api.example.com:65536", "api.example.com:https", ":443", "[::1]" }) {
            assertInvalid(KeepAliveSettings.builder().host(key, new HostLimits(1, null)), "hosts", key,
                    "keys must be host:port with a port from 1 to 65535, for example api.example.com:443");
        }
        assertThat(KeepAliveSettings.builder().host("[::1]:8080", new HostLimits(3, 2)).build().pool()
            .maxIdleConnsFor("[::1]:8080")).isEqualTo(2);
    }

    @Test
    void aDurationTooLongToCountInNanosecondsIsRefusedInsteadOfOverflowing() {
        Duration forever = Duration.ofDays(1_000_000);
        assertInvalid(KeepAliveSettings.builder().idleConnTimeout(forever), "idle-conn-timeout", forever,
                "must not exceed 106751 days");
        assertInvalid(KeepAliveSettings.builder().shutdownGrace(forever), "shutdown-grace", forever,
                "must not exceed 106751 days");
        assertInvalid(KeepAliveSettings.builder().drainTimeout(forever), "drain.timeout", forever,
                "must not exceed 106751 days");
        Duration longest = Duration.ofNanos(Long.MAX_VALUE);
        assertThat(KeepAliveSettings.builder().idleConnTimeout(longest).build().pool().idleConnTimeout())
            .isEqualTo(longest);
    }

    @Test
    void aGroupBuiltWithoutTheBuilderKeepsTheSameRules() {
        InvalidSettingException ex = catchThrowableOfType(InvalidSettingException.class,
                () -> new Drain(-1, Duration.ZERO));
        assertThat(ex.setting()).isEqualTo("drain.max-bytes");
        ex = catchThrowableOfType(InvalidSettingException.class, () -> new LeakDetection(Duration.ZERO,
                StackCapture.NEVER, 0, true, true));
        assertThat(ex.setting()).isEqualTo("leak-detection.sample-rate");
        ex = catchThrowableOfType(InvalidSettingException.class, () -> new Timeouts(Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(-1)));
        assertThat(ex.setting()).isEqualTo("shutdown-grace");
    }

    @Test
    void settingsMadeWithoutTheBuilderAreCheckedTooAndCompareAsValues() {
        KeepAliveSettings built = KeepAliveSettings.builder().proxy(ProxyConfig.direct()).build();
        KeepAliveSettings made = new KeepAliveSettings(built.pool(), built.timeouts(), built.drain(),
                built.leakDetection(), false, false, ProxyConfig.direct());
        assertThat(made).isEqualTo(built).hasSameHashCodeAs(built);

        InvalidSettingException ex = catchThrowableOfType(InvalidSettingException.class,
                () -> new KeepAliveSettings(built.pool(), built.timeouts(), built.drain(), built.leakDetection(),
                        false, false, ProxyConfig.url("socks5://socks.corp:1080")));
        assertThat(ex.setting()).isEqualTo("proxy.url");
        assertThatExceptionOfType(NullPointerException.class)
            .isThrownBy(() -> new KeepAliveSettings(null, built.timeouts(), built.drain(), built.leakDetection(),
                    false, false, ProxyConfig.direct()))
            .withMessage("pool");
    }

    @Test
    void aBadProxyUrlIsNamedWithItsValueWithheldAndNoCredentialShown() {
        InvalidSettingException ex = catchThrowableOfType(InvalidSettingException.class, () -> KeepAliveSettings
            .builder().proxy(ProxyConfig.url("socks5://alice:pw-s3cret@socks.corp:1080")).build());

        assertThat(ex.setting()).isEqualTo("proxy.url");
        assertThat(ex.valueShown()).isFalse();
        assertThat(ex.value()).isNull();
        assertThat(ex.reason()).startsWith("is a SOCKS proxy (socks5://socks.corp:1080)");
        assertThat(ex).hasMessageStartingWith("proxy.url is a SOCKS proxy (socks5://socks.corp:1080)");
        for (Throwable t = ex; t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain("pw-s3cret").doesNotContain("alice");
        }
    }

    @Test
    void aSocksProxyInTheEnvironmentIsNamedAsFromEnvironment() {
        String before = System.getProperty("socksProxyHost");
        System.setProperty("socksProxyHost", "socks.corp");
        try {
            InvalidSettingException ex = catchThrowableOfType(InvalidSettingException.class,
                    () -> KeepAliveSettings.builder().proxy(ProxyConfig.fromEnvironment()).build());
            assertThat(ex.setting()).isEqualTo("proxy.from-environment");
            assertThat(ex.reason()).startsWith("the JVM system property socksProxyHost names a SOCKS proxy");
            assertThat(ex).hasMessageStartingWith("proxy.from-environment: the JVM system property socksProxyHost");
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

    private static void assertInvalid(KeepAliveSettings.Builder builder, String setting, Object value,
            String reason) {
        InvalidSettingException ex = catchThrowableOfType(InvalidSettingException.class,
                () -> builder.proxy(ProxyConfig.direct()).build());
        assertThat(ex).as(setting).isNotNull();
        assertThat(ex.setting()).isEqualTo(setting);
        assertThat(ex.value()).isEqualTo(value);
        assertThat(ex.valueShown()).isTrue();
        assertThat(ex.reason()).isEqualTo(reason);
        assertThat(ex).hasMessage(setting + " " + reason + ", but was " + value);
    }
}
