package dev.keepalive.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.keepalive.transport.internal.proxy.HttpProxy;

/**
 * Which proxy a {@link KeepAliveTransport} uses (design §3 rule 21): none, one given URL, or the one the
 * environment names. Immutable; set with {@link KeepAliveSettings.Builder#proxy(ProxyConfig)}, whose
 * default is {@link #fromEnvironment()}.
 *
 * <ul>
 * <li>{@link #url(String)}: every request goes through {@code http://[user:password@]host:port}, loopback
 * included, except targets matched by {@link #withNoProxy(List) no-proxy} entries.</li>
 * <li>{@link #fromEnvironment()}: for {@code http} targets the JVM's {@code http.proxyHost}/{@code http.proxyPort}
 * with {@code http.nonProxyHosts}, else the {@code HTTP_PROXY} (or {@code http_proxy}) variable with
 * {@code NO_PROXY}; for {@code https} targets {@code https.proxyHost}/{@code https.proxyPort} with
 * {@code http.nonProxyHosts}, else {@code HTTPS_PROXY} with {@code NO_PROXY}. As Go's
 * {@code ProxyFromEnvironment}, {@code localhost} and loopback addresses are never proxied. A SOCKS proxy
 * ({@code socksProxyHost}, or a {@code socks5://} variable) is refused when the settings are built: keepalive
 * cannot use one and never bypasses a configured proxy silently.</li>
 * <li>{@link #direct()}: no proxy, whatever the environment says.</li>
 * </ul>
 *
 * The environment is read, and every URL checked, when {@link KeepAliveSettings.Builder#build()} runs; errors
 * name the setting ({@code proxy.url}, {@code proxy.from-environment} with the variable) and never show
 * credentials. {@link #toString()} shows none either.
 */
public final class ProxyConfig {

    private static final ProxyConfig DIRECT = new ProxyConfig(null, false, List.of());
    private static final ProxyConfig ENVIRONMENT = new ProxyConfig(null, true, List.of());

    private final String url;
    private final boolean fromEnvironment;
    private final List<String> noProxy;

    private ProxyConfig(String url, boolean fromEnvironment, List<String> noProxy) {
        this.url = url;
        this.fromEnvironment = fromEnvironment;
        this.noProxy = noProxy;
    }

    /** No proxy: every request connects to its target directly. */
    public static ProxyConfig direct() {
        return DIRECT;
    }

    /** The JVM's proxy system properties, else the environment's variables (see the class description). */
    public static ProxyConfig fromEnvironment() {
        return ENVIRONMENT;
    }

    /**
     * Every request through the HTTP proxy at {@code url}: {@code http://[user:password@]host:port} (port 80
     * when absent). User-info becomes {@code Proxy-Authorization: Basic}; percent-encode reserved characters.
     */
    public static ProxyConfig url(String url) {
        return new ProxyConfig(Objects.requireNonNull(url, "url"), false, List.of());
    }

    /**
     * This configuration with targets that bypass the proxy, written as {@code NO_PROXY} entries: host names
     * ({@code example.com} and its subdomains), {@code .domain} suffixes (subdomains only), IPs and CIDRs,
     * each optionally with {@code :port}, or {@code *}. With {@link #fromEnvironment()} they add to
     * {@code NO_PROXY} / {@code http.nonProxyHosts}.
     */
    public ProxyConfig withNoProxy(List<String> entries) {
        List<String> all = new ArrayList<>(this.noProxy);
        for (String entry : Objects.requireNonNull(entries, "entries")) {
            all.add(Objects.requireNonNull(entry, "no-proxy entry"));
        }
        return new ProxyConfig(this.url, this.fromEnvironment, List.copyOf(all));
    }

    /** Whether a URL was given with {@link #url(String)}. */
    public boolean hasUrl() {
        return this.url != null;
    }

    /** Whether the environment decides (see {@link #fromEnvironment()}). */
    public boolean isFromEnvironment() {
        return this.fromEnvironment;
    }

    /** The no-proxy entries given with {@link #withNoProxy(List)}. */
    public List<String> noProxy() {
        return this.noProxy;
    }

    /** The URL as given, credentials included: for the transport only, never to be shown. */
    String rawUrl() {
        return this.url;
    }

    /** Shows the proxy without credentials. */
    @Override
    public String toString() {
        String what;
        if (this.url != null) {
            HttpProxy proxy;
            try {
                proxy = HttpProxy.parse(this.url, "proxy.url", false);
                what = "url " + proxy.name();
            }
            catch (IllegalArgumentException ex) {
                what = "url (invalid)";
            }
        }
        else {
            what = this.fromEnvironment ? "from environment" : "direct";
        }
        return "ProxyConfig[" + what + (this.noProxy.isEmpty() ? "" : ", no-proxy " + this.noProxy) + "]";
    }
}
