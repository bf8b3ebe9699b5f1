package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.Map;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveSettings.HostLimits;
import dev.keepalive.transport.ProxyConfig;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.StringUtils;

/**
 * Turns {@link KeepAliveProperties} into the transport's {@link KeepAliveSettings}, validating every value
 * first so that a mistake fails start-up with the full property name ({@code keepalive.…}) and the value.
 */
final class KeepAliveSettingsMapper {

    private static final String PREFIX = "keepalive.";

    private KeepAliveSettingsMapper() {
    }

    static KeepAliveSettings map(KeepAliveProperties properties) {
        validate(properties);
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
        catch (IllegalArgumentException ex) {
            // The transport names its settings without the prefix; a rule checked only there still has to
            // point at the property the user wrote.
            throw new IllegalStateException("Invalid keepalive configuration: " + PREFIX + ex.getMessage(), ex);
        }
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

    private static void validate(KeepAliveProperties properties) {
        requireNonNegative("max-idle-conns", properties.getMaxIdleConns());
        requireNonNegative("max-idle-conns-per-host", properties.getMaxIdleConnsPerHost());
        requireNonNegative("max-conns-per-host", properties.getMaxConnsPerHost());
        requireNonNegative("acquire-timeout", properties.getAcquireTimeout());
        requireNonNegative("idle-conn-timeout", properties.getIdleConnTimeout());
        requireNonNegative("max-conn-lifetime", properties.getMaxConnLifetime());
        requireNonNegative("connect-timeout", properties.getConnectTimeout());
        requireNonNegative("tls-handshake-timeout", properties.getTlsHandshakeTimeout());
        requireNonNegative("response-header-timeout", properties.getResponseHeaderTimeout());
        requireNonNegative("read-timeout", properties.getReadTimeout());
        requireNonNegative("validate-after-inactivity", properties.getValidateAfterInactivity());
        requireNonNegative("expect-continue-timeout", properties.getExpectContinueTimeout());
        requireNonNegative("shutdown-grace", properties.getShutdownGrace());
        KeepAliveProperties.Drain drain = properties.getDrain();
        require(drain.getMaxBytes() != null, "drain.max-bytes", null, "must be set");
        requireNonNegative("drain.max-bytes", drain.getMaxBytes().toBytes());
        requireNonNegative("drain.timeout", drain.getTimeout());
        KeepAliveProperties.LeakDetection leaks = properties.getLeakDetection();
        requireNonNegative("leak-detection.threshold", leaks.getThreshold());
        require(leaks.getCaptureStack() != null, "leak-detection.capture-stack", null, "must be set");
        require(leaks.getSampleRate() >= 1, "leak-detection.sample-rate", leaks.getSampleRate(),
                "must be at least 1");
        for (Map.Entry<String, KeepAliveProperties.Host> entry : properties.getHosts().entrySet()) {
            validateHost(entry.getKey(), entry.getValue(), properties.getMaxConnsPerHost());
        }
    }

    private static void validateHost(String hostPort, KeepAliveProperties.Host host, int defaultMaxConns) {
        String prefix = "hosts[" + hostPort + "].";
        int colon = hostPort.lastIndexOf(':');
        require(colon > 0 && isPort(hostPort.substring(colon + 1)), "hosts", hostPort,
                "keys must be host:port, for example keepalive.hosts[api.example.com:443].max-conns");
        if (host.getMaxConns() != null) {
            requireNonNegative(prefix + "max-conns", host.getMaxConns());
        }
        if (host.getMaxIdleConns() != null) {
            requireNonNegative(prefix + "max-idle-conns", host.getMaxIdleConns());
            int total = (host.getMaxConns() != null) ? host.getMaxConns() : defaultMaxConns;
            require(total == 0 || host.getMaxIdleConns() <= total, prefix + "max-idle-conns",
                    host.getMaxIdleConns(), "must not exceed the host's total cap of " + total + " connections");
        }
    }

    private static boolean isPort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port > 0 && port <= 65535;
    }

    private static void requireNonNegative(String name, long value) {
        require(value >= 0, name, value, "must not be negative");
    }

    private static void requireNonNegative(String name, Duration value) {
        require(value != null, name, null, "must be set");
        require(!value.isNegative(), name, value, "must not be negative");
    }

    private static void require(boolean valid, String name, Object value, String reason) {
        if (!valid) {
            throw new InvalidConfigurationPropertyValueException(PREFIX + name, value, reason);
        }
    }

}
