package dev.keepalive.autoconfigure;

import dev.keepalive.transport.InvalidSettingException;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveSettings.HostLimits;
import dev.keepalive.transport.ProxyConfig;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.StringUtils;

/**
 * Turns {@link KeepAliveProperties} into the transport's {@link KeepAliveSettings}. The transport's settings
 * hold every rule; a value that breaks one fails start-up with the full property name ({@code keepalive.…})
 * and, unless it may hold a credential, the value.
 */
final class KeepAliveSettingsMapper {

    private static final String PREFIX = "keepalive.";

    private KeepAliveSettingsMapper() {
    }

    static KeepAliveSettings map(KeepAliveProperties properties) {
        KeepAliveProperties.Drain drain = properties.getDrain();
        KeepAliveProperties.LeakDetection leaks = properties.getLeakDetection();
        KeepAliveSettings.Builder builder = KeepAliveSettings.builder()
            .maxIdleConns(properties.getMaxIdleConns())
            .maxIdleConnsPerHost(properties.getMaxIdleConnsPerHost())
            .maxConnsPerHost(properties.getMaxConnsPerHost())
            .acquireTimeout(properties.getAcquireTimeout())
            .idleConnTimeout(properties.getIdleConnTimeout())
            .maxConnLifetime(properties.getMaxConnLifetime())
            .connectTimeout(properties.getConnectTimeout())
            .tlsHandshakeTimeout(properties.getTlsHandshakeTimeout())
            .responseHeaderTimeout(properties.getResponseHeaderTimeout())
            .readTimeout(properties.getReadTimeout())
            .disableKeepAlives(properties.isDisableKeepAlives())
            .validateAfterInactivity(properties.getValidateAfterInactivity())
            .disableCompression(properties.isDisableCompression())
            .expectContinueTimeout(properties.getExpectContinueTimeout())
            .shutdownGrace(properties.getShutdownGrace())
            .drainMaxBytes(drain.getMaxBytes().toBytes())
            .drainTimeout(drain.getTimeout())
            .leakThreshold(leaks.getThreshold())
            .captureStack(leaks.getCaptureStack())
            .sampleRate(leaks.getSampleRate())
            .reclaimLeaks(leaks.isReclaim());
        builder.proxy(proxy(properties.getProxy()));
        properties.getHosts()
            .forEach((hostPort, host) -> builder.host(hostPort,
                    new HostLimits(host.getMaxConns(), host.getMaxIdleConns())));
        try {
            return builder.build();
        }
        catch (InvalidSettingException ex) {
            throw translate(ex);
        }
    }

    /**
     * The transport's error about one setting as the error about its {@code keepalive.*} property: the setting
     * is named as the property is, so the prefix is all it takes. A value that may hold a credential is
     * withheld: its error must not be one that Boot's failure analysis answers by looking the property's raw
     * value up and printing it.
     */
    static RuntimeException translate(InvalidSettingException ex) {
        String property = PREFIX + ex.setting();
        if (!ex.valueShown()) {
            return new IllegalStateException("Invalid keepalive configuration: " + PREFIX + ex.getMessage(), ex);
        }
        InvalidConfigurationPropertyValueException translated = new InvalidConfigurationPropertyValueException(
                property, ex.value(), ex.reason());
        // Boot's exception takes no cause; the transport's own error stays attached, suppressed, to show its rule.
        translated.addSuppressed(ex);
        return translated;
    }

    /**
     * {@code url} wins, else the environment when asked, else none; {@code no-proxy} applies to either. The
     * transport checks the URL and reads the environment, and its messages name the setting; no message
     * here repeats the URL, which may hold a password.
     */
    private static ProxyConfig proxy(KeepAliveProperties.Proxy proxy) {
        ProxyConfig config;
        if (StringUtils.hasText(proxy.getUrl())) {
            config = ProxyConfig.url(proxy.getUrl());
        }
        else {
            config = proxy.isFromEnvironment() ? ProxyConfig.fromEnvironment() : ProxyConfig.direct();
        }
        return (proxy.getNoProxy() != null) ? config.withNoProxy(proxy.getNoProxy()) : config;
    }

}
