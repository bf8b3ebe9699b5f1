package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.ProxyConfig;
import dev.keepalive.transport.StackCapture;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the keepalive transport, bound from {@code keepalive.*}. The names and
 * defaults follow Go's {@code net/http.Transport}, with defaults tuned for a server-side application.
 * Invalid values fail start-up with a message that names the property: the transport's settings hold the
 * rules, and {@link KeepAliveSettingsMapper} only adds the {@code keepalive.} prefix to the setting they name.
 *
 * <p><b>Defaults.</b> The transport's {@link KeepAliveSettings.Builder} owns every default; each field here starts
 * from {@link #DEFAULTS}, so a default changed there is the property's default too. Spring Boot's metadata
 * processor records only literal initializers, so the defaults an IDE shows are written in
 * {@code META-INF/additional-spring-configuration-metadata.json}, which the processor merges into the generated
 * metadata; {@code KeepAlivePropertiesDefaultsTests} fails when a default there is missing or differs from the
 * one a new instance of this class holds, and when a property's default differs from the transport's. The
 * other choice, literal defaults here checked against the transport, would have written every default twice in
 * Java; this way the second spelling is data that a test derives from the owner.
 *
 * <p>Long because it is Boot's JavaBean form of the whole {@code keepalive.*} tree: binding and the metadata
 * need one documented field, a getter and a setter per property. The pool's and timeouts' properties sit at the
 * top level (their names are fixed, design §4), so they cannot move into nested groups as drain and leak
 * detection do.
 */
@ConfigurationProperties("keepalive")
public class KeepAliveProperties {

    /**
     * The transport's defaults, where each property's default is read. Built with a direct proxy so that loading
     * this class never reads the environment (a SOCKS proxy there would fail it); that is why
     * {@code proxy.from-environment} alone spells its default here, and the defaults test checks it.
     */
    private static final KeepAliveSettings DEFAULTS = KeepAliveSettings.builder().proxy(ProxyConfig.direct()).build();

    /**
     * Whether the keepalive transport backs the RestClient.Builder and RestTemplateBuilder that Spring Boot
     * auto-configures. When off, the starter configures nothing.
     */
    private boolean enabled = true;

    /**
     * Idle connections kept across all hosts; 0 means no limit. Over it, the least recently used idle
     * connection of any host is closed.
     */
    private int maxIdleConns = DEFAULTS.pool().maxIdleConns();

    /**
     * Idle connections kept per host. A connection released over the cap is closed; 0 keeps none.
     */
    private int maxIdleConnsPerHost = DEFAULTS.pool().maxIdleConnsPerHost();

    /**
     * Connections per host, counting active, idle and connecting ones. 0 means no cap. At the cap, callers
     * wait in FIFO order for up to the acquire timeout.
     */
    private int maxConnsPerHost = DEFAULTS.pool().maxConnsPerHost();

    /**
     * Longest wait for a connection at the per-host cap before the call fails with a diagnostic naming the
     * open bodies that hold the connections.
     */
    private Duration acquireTimeout = DEFAULTS.pool().acquireTimeout();

    /**
     * Idle connections are closed after this long, or earlier when the server announced a shorter
     * "Keep-Alive: timeout".
     */
    private Duration idleConnTimeout = DEFAULTS.pool().idleConnTimeout();

    /**
     * Connections older than this are not reused. 0 means no limit.
     */
    private Duration maxConnLifetime = DEFAULTS.pool().maxConnLifetime();

    /**
     * TCP connect timeout. "spring.http.clients.connect-timeout" wins when set.
     */
    private Duration connectTimeout = DEFAULTS.timeouts().connect();

    /**
     * TLS handshake timeout.
     */
    private Duration tlsHandshakeTimeout = DEFAULTS.timeouts().tlsHandshake();

    /**
     * Wait for the response headers after the request is written. 0 means no limit.
     */
    private Duration responseHeaderTimeout = DEFAULTS.timeouts().responseHeader();

    /**
     * Socket read timeout. 0 means no limit. "spring.http.clients.read-timeout" wins when set.
     */
    private Duration readTimeout = DEFAULTS.timeouts().read();

    /**
     * Whether every connection carries a single request and is then closed.
     */
    private boolean disableKeepAlives = DEFAULTS.disableKeepAlives();

    /**
     * An idle connection that has been idle at least this long is watched: checked, without blocking, for the
     * server's close before it is reused and by a background sweep, so that a connection the server closed
     * leaves the pool instead of carrying a request. A connection reused sooner is not checked.
     */
    private Duration validateAfterInactivity = DEFAULTS.pool().validateAfterInactivity();

    /**
     * Whether to stop asking for gzip. When false, a request without an Accept-Encoding of the application's
     * asks for gzip and a gzip response is decoded transparently: the application sees the decoded bytes and
     * neither Content-Encoding nor Content-Length. An Accept-Encoding set by the application always passes the
     * body through untouched.
     */
    private boolean disableCompression = DEFAULTS.disableCompression();

    /**
     * How long a request carrying "Expect: 100-continue" waits for the server's "100 Continue" before it sends
     * its body anyway. 0 sends the body at once. A final response that comes first is returned without the
     * body being sent.
     */
    private Duration expectContinueTimeout = DEFAULTS.timeouts().expectContinue();

    /**
     * How long closing the transport (with the application context) lets exchanges in flight finish before
     * their connections are closed. Idle connections close at once and new requests are refused at once.
     */
    private Duration shutdownGrace = DEFAULTS.timeouts().shutdownGrace();

    /**
     * How a response body closed before its end is finished.
     */
    private final Drain drain = new Drain();

    /**
     * How response bodies that are never read or closed are found and reclaimed.
     */
    private final LeakDetection leakDetection = new LeakDetection();

    /**
     * Per-host overrides of the two per-host caps, keyed by "host:port". In YAML and properties files write
     * the key in brackets, for example "keepalive.hosts[api.example.com:443].max-conns=16"; an IPv6 literal
     * keeps its own brackets inside them, "keepalive.hosts[[::1]:8080].max-conns=16".
     */
    private Map<String, Host> hosts = new LinkedHashMap<>();

    /**
     * The HTTP proxy that requests go through.
     */
    private final Proxy proxy = new Proxy();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxIdleConns() {
        return this.maxIdleConns;
    }

    public void setMaxIdleConns(int maxIdleConns) {
        this.maxIdleConns = maxIdleConns;
    }

    public int getMaxIdleConnsPerHost() {
        return this.maxIdleConnsPerHost;
    }

    public void setMaxIdleConnsPerHost(int maxIdleConnsPerHost) {
        this.maxIdleConnsPerHost = maxIdleConnsPerHost;
    }

    public int getMaxConnsPerHost() {
        return this.maxConnsPerHost;
    }

    public void setMaxConnsPerHost(int maxConnsPerHost) {
        this.maxConnsPerHost = maxConnsPerHost;
    }

    public Duration getAcquireTimeout() {
        return this.acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public Duration getIdleConnTimeout() {
        return this.idleConnTimeout;
    }

    public void setIdleConnTimeout(Duration idleConnTimeout) {
        this.idleConnTimeout = idleConnTimeout;
    }

    public Duration getMaxConnLifetime() {
        return this.maxConnLifetime;
    }

    public void setMaxConnLifetime(Duration maxConnLifetime) {
        this.maxConnLifetime = maxConnLifetime;
    }

    public Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getTlsHandshakeTimeout() {
        return this.tlsHandshakeTimeout;
    }

    public void setTlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
    }

    public Duration getResponseHeaderTimeout() {
        return this.responseHeaderTimeout;
    }

    public void setResponseHeaderTimeout(Duration responseHeaderTimeout) {
        this.responseHeaderTimeout = responseHeaderTimeout;
    }

    public Duration getReadTimeout() {
        return this.readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public boolean isDisableKeepAlives() {
        return this.disableKeepAlives;
    }

    public void setDisableKeepAlives(boolean disableKeepAlives) {
        this.disableKeepAlives = disableKeepAlives;
    }

    public Duration getValidateAfterInactivity() {
        return this.validateAfterInactivity;
    }

    public void setValidateAfterInactivity(Duration validateAfterInactivity) {
        this.validateAfterInactivity = validateAfterInactivity;
    }

    public boolean isDisableCompression() {
        return this.disableCompression;
    }

    public void setDisableCompression(boolean disableCompression) {
        this.disableCompression = disableCompression;
    }

    public Duration getExpectContinueTimeout() {
        return this.expectContinueTimeout;
    }

    public void setExpectContinueTimeout(Duration expectContinueTimeout) {
        this.expectContinueTimeout = expectContinueTimeout;
    }

    public Duration getShutdownGrace() {
        return this.shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
    }

    public Drain getDrain() {
        return this.drain;
    }

    public LeakDetection getLeakDetection() {
        return this.leakDetection;
    }

    public Proxy getProxy() {
        return this.proxy;
    }

    public Map<String, Host> getHosts() {
        return this.hosts;
    }

    public void setHosts(Map<String, Host> hosts) {
        this.hosts = hosts;
    }

    /**
     * What happens to the rest of a response body that the application closes before its end.
     */
    public static class Drain {

        /**
         * Most bytes read to save the connection when a body is closed before its end. When more remain, or
         * the length is unknown and the end does not come within this many bytes, the connection is closed.
         */
        private DataSize maxBytes = DataSize.ofBytes(DEFAULTS.drain().maxBytes());

        /**
         * Longest time spent reading the rest of a body closed before its end; when it runs out the connection
         * is closed instead.
         */
        private Duration timeout = DEFAULTS.drain().timeout();

        public DataSize getMaxBytes() {
            return this.maxBytes;
        }

        public void setMaxBytes(DataSize maxBytes) {
            this.maxBytes = maxBytes;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

    }

    /**
     * Detection of response bodies that are neither read nor closed.
     */
    public static class LeakDetection {

        /**
         * An open body with no read for this long is a leak suspect, logged once at WARN. 0 turns suspects
         * off.
         */
        private Duration threshold = DEFAULTS.leakDetection().threshold();

        /**
         * When the stack that opened a body is recorded: "never", "sampled" (the first body of each request,
         * whose line later bodies of the request show; one body in sample-rate; and every body of a request
         * that already leaked) or "always".
         */
        private StackCapture captureStack = DEFAULTS.leakDetection().captureStack();

        /**
         * With capture-stack "sampled", one body in this many records its opening stack.
         */
        private int sampleRate = DEFAULTS.leakDetection().sampleRate();

        /**
         * Whether a body dropped unclosed by the application has its connection closed and its pool slot
         * freed. Leaks are reported either way.
         */
        private boolean reclaim = DEFAULTS.leakDetection().reclaim();

        public Duration getThreshold() {
            return this.threshold;
        }

        public void setThreshold(Duration threshold) {
            this.threshold = threshold;
        }

        public StackCapture getCaptureStack() {
            return this.captureStack;
        }

        public void setCaptureStack(StackCapture captureStack) {
            this.captureStack = captureStack;
        }

        public int getSampleRate() {
            return this.sampleRate;
        }

        public void setSampleRate(int sampleRate) {
            this.sampleRate = sampleRate;
        }

        public boolean isReclaim() {
            return this.reclaim;
        }

        public void setReclaim(boolean reclaim) {
            this.reclaim = reclaim;
        }

    }

    /**
     * Overrides of the per-host caps for one host; an unset value keeps the global one.
     */
    public static class Host {

        /**
         * Connections to this host, active, idle and connecting. 0 means no cap. Overrides
         * "keepalive.max-conns-per-host".
         */
        private Integer maxConns;

        /**
         * Idle connections kept for this host. Overrides "keepalive.max-idle-conns-per-host"; must not exceed
         * the host's total cap.
         */
        private Integer maxIdleConns;

        public Integer getMaxConns() {
            return this.maxConns;
        }

        public void setMaxConns(Integer maxConns) {
            this.maxConns = maxConns;
        }

        public Integer getMaxIdleConns() {
            return this.maxIdleConns;
        }

        public void setMaxIdleConns(Integer maxIdleConns) {
            this.maxIdleConns = maxIdleConns;
        }

    }

    /**
     * The HTTP proxy that requests go through: the one given by "url", else (with "from-environment") the one
     * the JVM's system properties or the environment's variables name, else none.
     */
    public static class Proxy {

        /**
         * URL of the HTTP proxy that every request goes through, "http://[user:password@]host:port" (port 80
         * when absent). Plain http requests are sent to it in absolute form, https ones through a CONNECT
         * tunnel with TLS to the target. User and password (percent-encoded) are sent as
         * "Proxy-Authorization: Basic" and never shown. Wins over the environment; SOCKS and https:// proxies
         * fail start-up.
         */
        private String url;

        /**
         * Targets that go directly instead of through the proxy, as NO_PROXY lists them: host names
         * ("example.com" and its subdomains), ".domain" suffixes (subdomains only), IP addresses and CIDRs
         * ("10.0.0.0/8"), each optionally with ":port", or "*" for all. With a proxy from the environment they
         * add to NO_PROXY and http.nonProxyHosts.
         */
        private List<String> noProxy = new ArrayList<>();

        /**
         * Whether, without "url", the proxy comes from the environment, as Go's ProxyFromEnvironment: the JVM's
         * "http.proxyHost"/"https.proxyHost" (with their ports and "http.nonProxyHosts") first, else the
         * HTTP_PROXY, HTTPS_PROXY and NO_PROXY variables (or their lower-case forms). localhost and loopback
         * addresses never go through a proxy from the environment. A SOCKS proxy ("socksProxyHost", or a
         * socks5:// variable) fails start-up instead of being ignored.
         */
        private boolean fromEnvironment = true;

        public String getUrl() {
            return this.url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public List<String> getNoProxy() {
            return this.noProxy;
        }

        public void setNoProxy(List<String> noProxy) {
            this.noProxy = noProxy;
        }

        public boolean isFromEnvironment() {
            return this.fromEnvironment;
        }

        public void setFromEnvironment(boolean fromEnvironment) {
            this.fromEnvironment = fromEnvironment;
        }

    }

}
