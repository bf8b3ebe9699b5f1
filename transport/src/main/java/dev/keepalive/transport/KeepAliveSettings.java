package dev.keepalive.transport;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.keepalive.transport.internal.proxy.ProxySelection;

/**
 * The knobs of a {@link KeepAliveTransport}, with Go's {@code net/http.Transport} names and keepalive's
 * defaults, grouped as the {@code keepalive.*} properties are: {@link Pool}, {@link Timeouts}, {@link Drain},
 * {@link LeakDetection}, and the few switches at the top. Immutable; made by {@link #builder()} (the constructor,
 * which checks the same, serves code that already holds the groups). A zero {@link Duration} means "off" or
 * "no limit" where the setting says so.
 *
 * <p>The records' constructors hold the rules, and are the only place that does: an invalid value (a negative
 * cap or duration, a duration too long to count in nanoseconds, a per-host idle cap above that host's total
 * cap, a host key that is not {@code host:port}, a proxy URL that is not {@code http://host:port}, a SOCKS
 * proxy) fails {@link Builder#build()} with an {@link InvalidSettingException} naming the setting as its
 * property does.
 *
 * <p>Each setting is a documented component of its group, and its default and fluent setter are in the
 * {@link Builder}, which owns the defaults (the Boot properties read theirs from it). Long because it is the
 * whole settings API: Java has no builder for a record, and one class per group would scatter the settings
 * that the properties and design §4 list together.
 *
 * @param pool the connection pool: its caps, waits and connection ages
 * @param timeouts the timeouts of one exchange, and the one of shutting down
 * @param drain how the rest of a body closed before its end is read to save its connection (rule 8)
 * @param leakDetection how open bodies are watched, and leaked ones found and reclaimed (rules 11 and 12)
 * @param disableKeepAlives when true every connection carries one request and is then closed
 * @param disableCompression when false (the default), a request without an {@code Accept-Encoding} of the
 * application's asks for {@code gzip} and a gzip response is decoded transparently, as Go's
 * {@code DisableCompression: false}
 * @param proxy which proxy requests go through (default {@link ProxyConfig#fromEnvironment()})
 */
public record KeepAliveSettings(Pool pool, Timeouts timeouts, Drain drain, LeakDetection leakDetection,
        boolean disableKeepAlives, boolean disableCompression, ProxyConfig proxy) {

    /** The longest duration any setting takes: the transport counts time in {@code long} nanoseconds. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    /**
     * Checks that every group is there and that the proxy resolves against the environment now, so that a bad
     * proxy URL or a SOCKS proxy fails here, not at the first request.
     */
    public KeepAliveSettings {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(leakDetection, "leakDetection");
        resolveProxy(Objects.requireNonNull(proxy, "proxy"));
    }

    /** A builder holding the defaults of design §4. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of design §4. */
    public static KeepAliveSettings defaults() {
        return builder().build();
    }

    /**
     * The pool's caps and connection ages (design §3 rules 1 to 6, 16 and 23).
     *
     * @param maxIdleConns idle connections kept across all hosts; over it the least recently used idle
     * connection is closed. 0 means no limit, as in Go
     * @param maxIdleConnsPerHost idle connections kept per host unless {@code hosts} overrides it. 0 keeps none:
     * every connection is closed after its exchange (Go reads 0 as its default of 2; keepalive takes the
     * number literally, and its default is 32)
     * @param maxConnsPerHost connections per host, active + idle + connecting; 0 = no cap
     * @param acquireTimeout longest wait for a connection at the per-host cap
     * @param idleConnTimeout an idle connection is closed after this long (or the server's shorter
     * {@code Keep-Alive: timeout})
     * @param maxConnLifetime connections older than this are not reused; zero = no limit
     * @param validateAfterInactivity a connection idle at least this long is watched (rule 16): checked without
     * blocking for the server's close before it is reused, and by the background sweep. One reused sooner is
     * handed out unchecked: no server closes an idle connection within milliseconds of answering on it, and
     * this keeps the check off the hot path
     * @param hosts per-host overrides of the two per-host caps, keyed by lower-case {@code host:port}
     */
    public record Pool(int maxIdleConns, int maxIdleConnsPerHost, int maxConnsPerHost, Duration acquireTimeout,
            Duration idleConnTimeout, Duration maxConnLifetime, Duration validateAfterInactivity,
            Map<String, HostLimits> hosts) {

        /** Checks every value; throws {@link InvalidSettingException} naming the first invalid one. */
        public Pool {
            requireCount("max-idle-conns", maxIdleConns);
            requireCount("max-idle-conns-per-host", maxIdleConnsPerHost);
            requireCount("max-conns-per-host", maxConnsPerHost);
            requireDuration("acquire-timeout", acquireTimeout);
            requireDuration("idle-conn-timeout", idleConnTimeout);
            requireDuration("max-conn-lifetime", maxConnLifetime);
            requireDuration("validate-after-inactivity", validateAfterInactivity);
            Map<String, HostLimits> keyed = new TreeMap<>();
            for (Map.Entry<String, HostLimits> host : Objects.requireNonNull(hosts, "hosts").entrySet()) {
                // Errors name the key as it was written, so that they point at the property that holds it.
                requireHostPort(host.getKey());
                Objects.requireNonNull(host.getValue(), () -> "hosts[" + host.getKey() + "] has no limits")
                    .check(host.getKey(), maxConnsPerHost);
                keyed.put(host.getKey().toLowerCase(Locale.ROOT), host.getValue());
            }
            hosts = Map.copyOf(keyed);
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
            int idle = (limits != null && limits.maxIdleConns() != null) ? limits.maxIdleConns()
                    : this.maxIdleConnsPerHost;
            int total = maxConnsFor(hostPort);
            return total > 0 ? Math.min(idle, total) : idle;
        }

        /** {@code host:port} with a port from 1 to 65535 (an IPv6 host in brackets). */
        private static void requireHostPort(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            String port = colon > 0 ? hostPort.substring(colon + 1) : "";
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InvalidSettingException("hosts", hostPort,
                        "keys must be host:port with a port from 1 to 65535, for example api.example.com:443");
            }
        }
    }

    /**
     * Per-host overrides; a {@code null} field keeps the global value.
     *
     * @param maxConns total connections to the host (0 = no cap), or {@code null}
     * @param maxIdleConns idle connections kept for the host, or {@code null}
     */
    public record HostLimits(Integer maxConns, Integer maxIdleConns) {

        /** These overrides for {@code hostPort}, whose total cap is {@code maxConnsPerHost} unless overridden. */
        private void check(String hostPort, int maxConnsPerHost) {
            String prefix = "hosts[" + hostPort + "].";
            if (this.maxConns != null) {
                requireCount(prefix + "max-conns", this.maxConns);
            }
            if (this.maxIdleConns != null) {
                requireCount(prefix + "max-idle-conns", this.maxIdleConns);
                // Only an explicit per-host idle cap can contradict a total cap; the global idle default (32)
                // simply shrinks to a smaller total cap, as the sample's max-conns-per-host: 8 expects.
                int total = (this.maxConns != null) ? this.maxConns : maxConnsPerHost;
                if (total > 0 && this.maxIdleConns > total) {
                    throw new InvalidSettingException(prefix + "max-idle-conns", this.maxIdleConns,
                            "must not exceed the host's total cap of " + total + " connections");
                }
            }
        }
    }

    /**
     * The timeouts of an exchange, and how long closing waits for one.
     *
     * @param connect TCP connect timeout
     * @param tlsHandshake TLS handshake timeout
     * @param responseHeader wait for the response headers after the request is written; zero = no limit
     * @param read socket read timeout while reading a body; zero = no limit
     * @param expectContinue how long a request carrying {@code Expect: 100-continue} waits for the server's
     * {@code 100 Continue} before it sends its body anyway; zero sends the body at once (Go's
     * {@code ExpectContinueTimeout})
     * @param shutdownGrace how long {@link KeepAliveTransport#close()} lets exchanges in flight finish before it
     * closes their connections (idle connections close at once, new requests are refused at once); zero closes
     * them at once
     */
    public record Timeouts(Duration connect, Duration tlsHandshake, Duration responseHeader, Duration read,
            Duration expectContinue, Duration shutdownGrace) {

        /** Checks every value; throws {@link InvalidSettingException} naming the first invalid one. */
        public Timeouts {
            requireDuration("connect-timeout", connect);
            requireDuration("tls-handshake-timeout", tlsHandshake);
            requireDuration("response-header-timeout", responseHeader);
            requireDuration("read-timeout", read);
            requireDuration("expect-continue-timeout", expectContinue);
            requireDuration("shutdown-grace", shutdownGrace);
        }
    }

    /**
     * What is read of a body closed before its end to save its connection (rule 8).
     *
     * @param maxBytes most bytes read; when more remain the connection is closed instead
     * @param timeout longest time spent reading them
     */
    public record Drain(long maxBytes, Duration timeout) {

        /** Checks every value; throws {@link InvalidSettingException} naming the first invalid one. */
        public Drain {
            requireCount("drain.max-bytes", maxBytes);
            requireDuration("drain.timeout", timeout);
        }
    }

    /**
     * How open bodies are watched and leaked ones found (rules 11 and 12).
     *
     * @param threshold a body with no read for this long is a leak suspect; zero = off
     * @param captureStack when the opening stack of a body is recorded
     * @param sampleRate with {@link StackCapture#SAMPLED}, one body in this many records its stack
     * @param reclaim whether a leaked body's connection is closed and its slot freed (it is reported either way)
     * @param trackBodies whether open bodies are listed and watched at all (default true). Off only to measure
     * what tracking costs: bodies are still counted and released at EOF or close, but none is listed, flagged
     * as a suspect or found when dropped, so a leaked body pins its connection as in any other client
     */
    public record LeakDetection(Duration threshold, StackCapture captureStack, int sampleRate, boolean reclaim,
            boolean trackBodies) {

        /** Checks every value; throws {@link InvalidSettingException} naming the first invalid one. */
        public LeakDetection {
            requireDuration("leak-detection.threshold", threshold);
            if (captureStack == null) {
                throw new InvalidSettingException("leak-detection.capture-stack", null, "must be set");
            }
            if (sampleRate < 1) {
                throw new InvalidSettingException("leak-detection.sample-rate", sampleRate, "must be at least 1");
            }
        }
    }

    /** Builds {@link KeepAliveSettings}; starts from the defaults of design §4, which live here only. */
    public static final class Builder {

        private int maxIdleConns = 256;
        private int maxIdleConnsPerHost = 32;
        private int maxConnsPerHost = 0;
        private Duration acquireTimeout = Duration.ofSeconds(10);
        private Duration idleConnTimeout = Duration.ofSeconds(90);
        private Duration maxConnLifetime = Duration.ZERO;
        private Duration validateAfterInactivity = Duration.ofMillis(5);
        private final Map<String, HostLimits> hosts = new TreeMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);
        private Duration responseHeaderTimeout = Duration.ZERO;
        private Duration readTimeout = Duration.ZERO;
        private Duration expectContinueTimeout = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private long drainMaxBytes = 256 * 1024;
        private Duration drainTimeout = Duration.ofMillis(100);
        private Duration leakThreshold = Duration.ofSeconds(30);
        private StackCapture captureStack = StackCapture.SAMPLED;
        private int sampleRate = 64;
        private boolean reclaimLeaks = true;
        private boolean trackBodies = true;
        private boolean disableKeepAlives = false;
        private boolean disableCompression = false;
        private ProxyConfig proxy = ProxyConfig.fromEnvironment();

        private Builder() {
        }

        /** See {@link Pool#maxIdleConns()}. */
        public Builder maxIdleConns(int value) {
            this.maxIdleConns = value;
            return this;
        }

        /** See {@link Pool#maxIdleConnsPerHost()}. */
        public Builder maxIdleConnsPerHost(int value) {
            this.maxIdleConnsPerHost = value;
            return this;
        }

        /** See {@link Pool#maxConnsPerHost()}. */
        public Builder maxConnsPerHost(int value) {
            this.maxConnsPerHost = value;
            return this;
        }

        /** See {@link Pool#acquireTimeout()}. */
        public Builder acquireTimeout(Duration value) {
            this.acquireTimeout = value;
            return this;
        }

        /** See {@link Pool#idleConnTimeout()}. */
        public Builder idleConnTimeout(Duration value) {
            this.idleConnTimeout = value;
            return this;
        }

        /** See {@link Pool#maxConnLifetime()}. */
        public Builder maxConnLifetime(Duration value) {
            this.maxConnLifetime = value;
            return this;
        }

        /** See {@link Pool#validateAfterInactivity()}. */
        public Builder validateAfterInactivity(Duration value) {
            this.validateAfterInactivity = value;
            return this;
        }

        /** Overrides the per-host caps for {@code hostPort} ({@code host:port}, case-insensitive). */
        public Builder host(String hostPort, HostLimits limits) {
            this.hosts.put(Objects.requireNonNull(hostPort, "hostPort"), Objects.requireNonNull(limits, "limits"));
            return this;
        }

        /** See {@link Timeouts#connect()}. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** See {@link Timeouts#tlsHandshake()}. */
        public Builder tlsHandshakeTimeout(Duration value) {
            this.tlsHandshakeTimeout = value;
            return this;
        }

        /** See {@link Timeouts#responseHeader()}. */
        public Builder responseHeaderTimeout(Duration value) {
            this.responseHeaderTimeout = value;
            return this;
        }

        /** See {@link Timeouts#read()}. */
        public Builder readTimeout(Duration value) {
            this.readTimeout = value;
            return this;
        }

        /** See {@link Timeouts#expectContinue()}. */
        public Builder expectContinueTimeout(Duration value) {
            this.expectContinueTimeout = value;
            return this;
        }

        /** See {@link Timeouts#shutdownGrace()}. */
        public Builder shutdownGrace(Duration value) {
            this.shutdownGrace = value;
            return this;
        }

        /** See {@link Drain#maxBytes()}. */
        public Builder drainMaxBytes(long value) {
            this.drainMaxBytes = value;
            return this;
        }

        /** See {@link Drain#timeout()}. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = value;
            return this;
        }

        /** See {@link LeakDetection#threshold()}. */
        public Builder leakThreshold(Duration value) {
            this.leakThreshold = value;
            return this;
        }

        /** See {@link LeakDetection#captureStack()}. */
        public Builder captureStack(StackCapture value) {
            this.captureStack = value;
            return this;
        }

        /** See {@link LeakDetection#sampleRate()}. */
        public Builder sampleRate(int value) {
            this.sampleRate = value;
            return this;
        }

        /** See {@link LeakDetection#reclaim()}. */
        public Builder reclaimLeaks(boolean value) {
            this.reclaimLeaks = value;
            return this;
        }

        /** See {@link LeakDetection#trackBodies()}. */
        public Builder trackBodies(boolean value) {
            this.trackBodies = value;
            return this;
        }

        /** See {@link KeepAliveSettings#disableKeepAlives()}. */
        public Builder disableKeepAlives(boolean value) {
            this.disableKeepAlives = value;
            return this;
        }

        /** See {@link KeepAliveSettings#disableCompression()}. */
        public Builder disableCompression(boolean value) {
            this.disableCompression = value;
            return this;
        }

        /** See {@link KeepAliveSettings#proxy()}. */
        public Builder proxy(ProxyConfig value) {
            this.proxy = Objects.requireNonNull(value, "proxy");
            return this;
        }

        /**
         * Builds the settings; the records' constructors check the values, and the proxy is resolved against the
         * environment.
         *
         * @throws InvalidSettingException naming the first invalid setting
         */
        public KeepAliveSettings build() {
            return new KeepAliveSettings(
                    new Pool(this.maxIdleConns, this.maxIdleConnsPerHost, this.maxConnsPerHost, this.acquireTimeout,
                            this.idleConnTimeout, this.maxConnLifetime, this.validateAfterInactivity, this.hosts),
                    new Timeouts(this.connectTimeout, this.tlsHandshakeTimeout, this.responseHeaderTimeout,
                            this.readTimeout, this.expectContinueTimeout, this.shutdownGrace),
                    new Drain(this.drainMaxBytes, this.drainTimeout),
                    new LeakDetection(this.leakThreshold, this.captureStack, this.sampleRate, this.reclaimLeaks,
                            this.trackBodies),
                    this.disableKeepAlives, this.disableCompression, this.proxy);
        }
    }

    /**
     * The proxy as the environment has it now; its errors name their setting first, as this reports them. The
     * constructor checks with it, and {@link KeepAliveTransport#create} resolves again for the selection it
     * uses: a record holds nothing but its components, and the selection is no part of the API.
     */
    static ProxySelection resolveProxy(ProxyConfig proxy) {
        try {
            return ProxySelection.resolve(proxy, proxy.rawUrl());
        }
        catch (IllegalArgumentException ex) {
            // The proxy URL may hold a password, so it is never the shown value; the message shows it redacted.
            String setting = proxy.hasUrl() ? "proxy.url" : "proxy.from-environment";
            throw InvalidSettingException.withheld(setting, ex.getMessage());
        }
    }

    private static void requireCount(String setting, long value) {
        if (value < 0) {
            throw new InvalidSettingException(setting, value, "must not be negative");
        }
    }

    private static void requireDuration(String setting, Duration value) {
        if (value == null) {
            throw new InvalidSettingException(setting, null, "must be set");
        }
        if (value.isNegative()) {
            throw new InvalidSettingException(setting, value, "must not be negative");
        }
        if (value.compareTo(LONGEST) > 0) {
            throw new InvalidSettingException(setting, value, "must not exceed " + LONGEST.toDays() + " days");
        }
    }
}
