package dev.keepalive.transport;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The knobs of a {@link KeepAliveTransport}, with Go's {@code net/http.Transport} names and keepalive's
 * defaults. Immutable; made by {@link #builder()}. A zero {@link Duration} means "off" or "no limit"
 * where the property says so.
 *
 * <p>Invalid values (negative caps or durations, a per-host idle cap above that host's total cap, a proxy
 * URL that is not {@code http://host:port}, a SOCKS proxy) are rejected by {@link Builder#build()} with an
 * {@link IllegalArgumentException} that names the setting.
 */
public final class KeepAliveSettings {

    private final int maxIdleConns;
    private final int maxIdleConnsPerHost;
    private final int maxConnsPerHost;
    private final Duration acquireTimeout;
    private final Duration idleConnTimeout;
    private final Duration maxConnLifetime;
    private final Duration connectTimeout;
    private final Duration tlsHandshakeTimeout;
    private final Duration responseHeaderTimeout;
    private final Duration readTimeout;
    private final boolean disableKeepAlives;
    private final Duration validateAfterInactivity;
    private final long drainMaxBytes;
    private final Duration drainTimeout;
    private final Duration leakThreshold;
    private final StackCapture captureStack;
    private final int sampleRate;
    private final boolean reclaimLeaks;
    private final boolean trackBodies;
    private final boolean disableCompression;
    private final Duration expectContinueTimeout;
    private final Duration shutdownGrace;
    private final Map<String, HostLimits> hosts;
    private final ProxyConfig proxy;
    private final ProxySelection proxySelection;

    private KeepAliveSettings(Builder b, ProxySelection proxySelection) {
        this.maxIdleConns = b.maxIdleConns;
        this.maxIdleConnsPerHost = b.maxIdleConnsPerHost;
        this.maxConnsPerHost = b.maxConnsPerHost;
        this.acquireTimeout = b.acquireTimeout;
        this.idleConnTimeout = b.idleConnTimeout;
        this.maxConnLifetime = b.maxConnLifetime;
        this.connectTimeout = b.connectTimeout;
        this.tlsHandshakeTimeout = b.tlsHandshakeTimeout;
        this.responseHeaderTimeout = b.responseHeaderTimeout;
        this.readTimeout = b.readTimeout;
        this.disableKeepAlives = b.disableKeepAlives;
        this.validateAfterInactivity = b.validateAfterInactivity;
        this.drainMaxBytes = b.drainMaxBytes;
        this.drainTimeout = b.drainTimeout;
        this.leakThreshold = b.leakThreshold;
        this.captureStack = b.captureStack;
        this.sampleRate = b.sampleRate;
        this.reclaimLeaks = b.reclaimLeaks;
        this.trackBodies = b.trackBodies;
        this.disableCompression = b.disableCompression;
        this.expectContinueTimeout = b.expectContinueTimeout;
        this.shutdownGrace = b.shutdownGrace;
        this.hosts = Map.copyOf(b.hosts);
        this.proxy = b.proxy;
        this.proxySelection = proxySelection;
    }

    /** A builder holding the defaults of design §4. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of design §4. */
    public static KeepAliveSettings defaults() {
        return builder().build();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Idle connections kept across all hosts; over it the least recently used idle connection is closed.
     * 0 means no limit, as in Go.
     */
    public int maxIdleConns() {
        return this.maxIdleConns;
    }

    /**
     * Idle connections kept per host, unless {@link #hosts()} overrides it for that host. 0 keeps none:
     * every connection is closed after its exchange. (Go reads 0 as its default of 2; keepalive takes the
     * number literally, and its default is 32.)
     */
    public int maxIdleConnsPerHost() {
        return this.maxIdleConnsPerHost;
    }

    /** Connections per host, active + idle + connecting; 0 = no cap. */
    public int maxConnsPerHost() {
        return this.maxConnsPerHost;
    }

    /** Longest wait for a connection at the per-host cap. */
    public Duration acquireTimeout() {
        return this.acquireTimeout;
    }

    /** An idle connection is closed after this long (or the server's shorter {@code Keep-Alive: timeout}). */
    public Duration idleConnTimeout() {
        return this.idleConnTimeout;
    }

    /** Connections older than this are not reused; zero = no limit. */
    public Duration maxConnLifetime() {
        return this.maxConnLifetime;
    }

    /** TCP connect timeout. */
    public Duration connectTimeout() {
        return this.connectTimeout;
    }

    /** TLS handshake timeout. */
    public Duration tlsHandshakeTimeout() {
        return this.tlsHandshakeTimeout;
    }

    /** Wait for the response headers after the request is written; zero = no limit. */
    public Duration responseHeaderTimeout() {
        return this.responseHeaderTimeout;
    }

    /** Socket read timeout while reading a body; zero = no limit. */
    public Duration readTimeout() {
        return this.readTimeout;
    }

    /** When true every connection carries one request and is then closed. */
    public boolean disableKeepAlives() {
        return this.disableKeepAlives;
    }

    /**
     * A connection idle at least this long is watched (design §3 rule 16): checked without blocking for the
     * server's close before it is reused, and by the background sweep, so that a connection the server
     * closed leaves the pool instead of carrying a request. One reused sooner is handed out unchecked: no
     * server closes an idle connection within milliseconds of answering on it, and this keeps the check off
     * the hot path. Default 5 ms.
     */
    public Duration validateAfterInactivity() {
        return this.validateAfterInactivity;
    }

    /** Most bytes read to save a connection when a body is closed before EOF (rule 8). */
    public long drainMaxBytes() {
        return this.drainMaxBytes;
    }

    /** Longest time spent reading them (rule 8). */
    public Duration drainTimeout() {
        return this.drainTimeout;
    }

    /** A body with no read for this long is a leak suspect; zero = off. */
    public Duration leakThreshold() {
        return this.leakThreshold;
    }

    /** When the opening stack of a body is recorded. */
    public StackCapture captureStack() {
        return this.captureStack;
    }

    /** With {@link StackCapture#SAMPLED}, one body in this many records its stack. */
    public int sampleRate() {
        return this.sampleRate;
    }

    /** Whether a leaked body's connection is closed and its slot freed (it is reported either way). */
    public boolean reclaimLeaks() {
        return this.reclaimLeaks;
    }

    /**
     * Whether open bodies are listed and watched for leaks (default true). Off only to measure what
     * tracking costs: bodies are still counted and released at EOF or close, but none is listed, flagged
     * as a suspect or found when dropped, so a leaked body pins its connection as in any other client.
     */
    public boolean trackBodies() {
        return this.trackBodies;
    }

    /**
     * When false (the default), a request without an {@code Accept-Encoding} of the application's asks for
     * {@code gzip} and a gzip response is decoded transparently, as Go's {@code DisableCompression: false}.
     */
    public boolean disableCompression() {
        return this.disableCompression;
    }

    /**
     * How long a request carrying {@code Expect: 100-continue} waits for the server's {@code 100 Continue}
     * before it sends its body anyway; zero sends the body at once (Go's {@code ExpectContinueTimeout}).
     */
    public Duration expectContinueTimeout() {
        return this.expectContinueTimeout;
    }

    /** Which proxy requests go through (default {@link ProxyConfig#fromEnvironment()}). */
    public ProxyConfig proxy() {
        return this.proxy;
    }

    /** {@link #proxy()} as resolved against the environment when these settings were built. */
    ProxySelection proxySelection() {
        return this.proxySelection;
    }

    /**
     * How long {@link KeepAliveTransport#close()} lets exchanges in flight finish before it closes their
     * connections (idle connections close at once, new requests are refused at once); zero closes them at once.
     */
    public Duration shutdownGrace() {
        return this.shutdownGrace;
    }

    /** Per-host overrides of the two per-host caps, keyed by lower-case {@code host:port}. */
    public Map<String, HostLimits> hosts() {
        return this.hosts;
    }

    /**
     * The total cap for a host: its override in {@link #hosts()}, else {@link #maxConnsPerHost()}.
     *
     * @param hostPort {@code host:port} in lower case
     */
    public int maxConnsFor(String hostPort) {
        HostLimits limits = this.hosts.get(hostPort);
        return (limits != null && limits.maxConns() != null) ? limits.maxConns() : this.maxConnsPerHost;
    }

    /**
     * The idle cap for {@code host:port}: its override, else {@link #maxIdleConnsPerHost()}, never above the
     * host's total cap (an idle connection beyond it could never be used).
     *
     * @param hostPort {@code host:port} in lower case
     */
    public int maxIdleConnsFor(String hostPort) {
        HostLimits limits = this.hosts.get(hostPort);
        int idle = (limits != null && limits.maxIdleConns() != null) ? limits.maxIdleConns() : this.maxIdleConnsPerHost;
        int total = maxConnsFor(hostPort);
        return total > 0 ? Math.min(idle, total) : idle;
    }

    /**
     * Per-host overrides; a {@code null} field keeps the global value.
     *
     * @param maxConns total connections to the host (0 = no cap), or {@code null}
     * @param maxIdleConns idle connections kept for the host, or {@code null}
     */
    public record HostLimits(Integer maxConns, Integer maxIdleConns) {
    }

    /** Builds {@link KeepAliveSettings}; starts from the defaults of design §4. */
    public static final class Builder {

        private int maxIdleConns = 256;
        private int maxIdleConnsPerHost = 32;
        private int maxConnsPerHost = 0;
        private Duration acquireTimeout = Duration.ofSeconds(10);
        private Duration idleConnTimeout = Duration.ofSeconds(90);
        private Duration maxConnLifetime = Duration.ZERO;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);
        private Duration responseHeaderTimeout = Duration.ZERO;
        private Duration readTimeout = Duration.ZERO;
        private boolean disableKeepAlives = false;
        private Duration validateAfterInactivity = Duration.ofMillis(5);
        private long drainMaxBytes = 256 * 1024;
        private Duration drainTimeout = Duration.ofMillis(100);
        private Duration leakThreshold = Duration.ofSeconds(30);
        private StackCapture captureStack = StackCapture.SAMPLED;
        private int sampleRate = 64;
        private boolean reclaimLeaks = true;
        private boolean trackBodies = true;
        private boolean disableCompression = false;
        private Duration expectContinueTimeout = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private final Map<String, HostLimits> hosts = new TreeMap<>();
        private ProxyConfig proxy = ProxyConfig.fromEnvironment();

        private Builder() {
        }

        private Builder(KeepAliveSettings s) {
            this.maxIdleConns = s.maxIdleConns;
            this.maxIdleConnsPerHost = s.maxIdleConnsPerHost;
            this.maxConnsPerHost = s.maxConnsPerHost;
            this.acquireTimeout = s.acquireTimeout;
            this.idleConnTimeout = s.idleConnTimeout;
            this.maxConnLifetime = s.maxConnLifetime;
            this.connectTimeout = s.connectTimeout;
            this.tlsHandshakeTimeout = s.tlsHandshakeTimeout;
            this.responseHeaderTimeout = s.responseHeaderTimeout;
            this.readTimeout = s.readTimeout;
            this.disableKeepAlives = s.disableKeepAlives;
            this.validateAfterInactivity = s.validateAfterInactivity;
            this.drainMaxBytes = s.drainMaxBytes;
            this.drainTimeout = s.drainTimeout;
            this.leakThreshold = s.leakThreshold;
            this.captureStack = s.captureStack;
            this.sampleRate = s.sampleRate;
            this.reclaimLeaks = s.reclaimLeaks;
            this.trackBodies = s.trackBodies;
            this.disableCompression = s.disableCompression;
            this.expectContinueTimeout = s.expectContinueTimeout;
            this.shutdownGrace = s.shutdownGrace;
            this.hosts.putAll(s.hosts);
            this.proxy = s.proxy;
        }

        /** See {@link KeepAliveSettings#maxIdleConns()}. */
        public Builder maxIdleConns(int value) {
            this.maxIdleConns = value;
            return this;
        }

        /** See {@link KeepAliveSettings#maxIdleConnsPerHost()}. */
        public Builder maxIdleConnsPerHost(int value) {
            this.maxIdleConnsPerHost = value;
            return this;
        }

        /** See {@link KeepAliveSettings#maxConnsPerHost()}. */
        public Builder maxConnsPerHost(int value) {
            this.maxConnsPerHost = value;
            return this;
        }

        /** See {@link KeepAliveSettings#acquireTimeout()}. */
        public Builder acquireTimeout(Duration value) {
            this.acquireTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#idleConnTimeout()}. */
        public Builder idleConnTimeout(Duration value) {
            this.idleConnTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#maxConnLifetime()}. */
        public Builder maxConnLifetime(Duration value) {
            this.maxConnLifetime = value;
            return this;
        }

        /** See {@link KeepAliveSettings#connectTimeout()}. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#tlsHandshakeTimeout()}. */
        public Builder tlsHandshakeTimeout(Duration value) {
            this.tlsHandshakeTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#responseHeaderTimeout()}. */
        public Builder responseHeaderTimeout(Duration value) {
            this.responseHeaderTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#readTimeout()}. */
        public Builder readTimeout(Duration value) {
            this.readTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#disableKeepAlives()}. */
        public Builder disableKeepAlives(boolean value) {
            this.disableKeepAlives = value;
            return this;
        }

        /** See {@link KeepAliveSettings#validateAfterInactivity()}. */
        public Builder validateAfterInactivity(Duration value) {
            this.validateAfterInactivity = value;
            return this;
        }

        /** See {@link KeepAliveSettings#drainMaxBytes()}. */
        public Builder drainMaxBytes(long value) {
            this.drainMaxBytes = value;
            return this;
        }

        /** See {@link KeepAliveSettings#drainTimeout()}. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#leakThreshold()}. */
        public Builder leakThreshold(Duration value) {
            this.leakThreshold = value;
            return this;
        }

        /** See {@link KeepAliveSettings#captureStack()}. */
        public Builder captureStack(StackCapture value) {
            this.captureStack = value;
            return this;
        }

        /** See {@link KeepAliveSettings#sampleRate()}. */
        public Builder sampleRate(int value) {
            this.sampleRate = value;
            return this;
        }

        /** See {@link KeepAliveSettings#reclaimLeaks()}. */
        public Builder reclaimLeaks(boolean value) {
            this.reclaimLeaks = value;
            return this;
        }

        /** See {@link KeepAliveSettings#trackBodies()}. */
        public Builder trackBodies(boolean value) {
            this.trackBodies = value;
            return this;
        }

        /** See {@link KeepAliveSettings#disableCompression()}. */
        public Builder disableCompression(boolean value) {
            this.disableCompression = value;
            return this;
        }

        /** See {@link KeepAliveSettings#expectContinueTimeout()}. */
        public Builder expectContinueTimeout(Duration value) {
            this.expectContinueTimeout = value;
            return this;
        }

        /** See {@link KeepAliveSettings#proxy()}. */
        public Builder proxy(ProxyConfig value) {
            this.proxy = Objects.requireNonNull(value, "proxy");
            return this;
        }

        /** See {@link KeepAliveSettings#shutdownGrace()}. */
        public Builder shutdownGrace(Duration value) {
            this.shutdownGrace = value;
            return this;
        }

        /** Overrides the per-host caps for {@code hostPort} ({@code host:port}, case-insensitive). */
        public Builder host(String hostPort, HostLimits limits) {
            this.hosts.put(hostPort.toLowerCase(Locale.ROOT), Objects.requireNonNull(limits, "limits"));
            return this;
        }

        /** Validates and builds; throws {@link IllegalArgumentException} naming the first invalid setting. */
        public KeepAliveSettings build() {
            requireNonNegative("max-idle-conns", this.maxIdleConns);
            requireNonNegative("max-idle-conns-per-host", this.maxIdleConnsPerHost);
            requireNonNegative("max-conns-per-host", this.maxConnsPerHost);
            requireNonNegative("acquire-timeout", this.acquireTimeout);
            requireNonNegative("idle-conn-timeout", this.idleConnTimeout);
            requireNonNegative("max-conn-lifetime", this.maxConnLifetime);
            requireNonNegative("connect-timeout", this.connectTimeout);
            requireNonNegative("tls-handshake-timeout", this.tlsHandshakeTimeout);
            requireNonNegative("response-header-timeout", this.responseHeaderTimeout);
            requireNonNegative("read-timeout", this.readTimeout);
            requireNonNegative("validate-after-inactivity", this.validateAfterInactivity);
            requireNonNegative("drain.max-bytes", this.drainMaxBytes);
            requireNonNegative("drain.timeout", this.drainTimeout);
            requireNonNegative("leak-detection.threshold", this.leakThreshold);
            requireNonNegative("expect-continue-timeout", this.expectContinueTimeout);
            requireNonNegative("shutdown-grace", this.shutdownGrace);
            Objects.requireNonNull(this.captureStack, "leak-detection.capture-stack must not be null");
            if (this.sampleRate < 1) {
                throw new IllegalArgumentException(
                        "leak-detection.sample-rate must be at least 1, but was " + this.sampleRate);
            }
            this.hosts.forEach(this::validateHost);
            // Reads the environment now: a bad proxy URL or a SOCKS proxy fails here, not at the first request.
            return new KeepAliveSettings(this, ProxySelection.resolve(this.proxy));
        }

        private void validateHost(String hostPort, HostLimits limits) {
            String prefix = "hosts." + hostPort + ".";
            if (limits.maxConns() != null) {
                requireNonNegative(prefix + "max-conns", limits.maxConns());
            }
            if (limits.maxIdleConns() != null) {
                requireNonNegative(prefix + "max-idle-conns", limits.maxIdleConns());
            }
            // Only an explicit per-host idle cap can contradict a total cap; the global idle default
            // (32) simply shrinks to a smaller total cap, as the sample's max-conns-per-host: 8 expects.
            int total = limits.maxConns() != null ? limits.maxConns() : this.maxConnsPerHost;
            if (limits.maxIdleConns() != null && total > 0 && limits.maxIdleConns() > total) {
                throw new IllegalArgumentException(prefix + "max-idle-conns (" + limits.maxIdleConns()
                        + ") must not exceed the host's max-conns (" + total + ")");
            }
        }

        private static void requireNonNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, but was " + value);
            }
        }

        private static void requireNonNegative(String name, Duration value) {
            Objects.requireNonNull(value, () -> name + " must not be null");
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, but was " + value);
            }
        }
    }
}
