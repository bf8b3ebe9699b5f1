package dev.keepalive.transport.internal.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import dev.keepalive.transport.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProxyConfig} resolved against the environment (when the settings are built, to check it, and when the
 * transport is created, for use): the proxy for {@code http} targets and the one for {@code https} targets, each
 * with the targets that bypass it. Picks
 * the proxy of every request ({@link #select}); the owner of rule 21's choice of proxy.
 */
public final class ProxySelection {

    private static final Logger log = LoggerFactory.getLogger(ProxySelection.class);

    static final ProxySelection DIRECT = new ProxySelection(null, null, List.of(), false);

    /** One scheme's proxy, where it came from, and what bypasses it. */
    private record Choice(HttpProxy proxy, String source, NoProxy bypass) {
    }

    private final Choice http;
    private final Choice https;
    private final boolean skipsLoopback;
    /** What bypasses the proxies, as the log line shows it: {@code NAME=value} per source. */
    private final List<String> bypassNotes;

    private ProxySelection(Choice http, Choice https, List<String> bypassNotes, boolean skipsLoopback) {
        this.http = http;
        this.https = https;
        this.bypassNotes = bypassNotes;
        this.skipsLoopback = skipsLoopback;
    }

    /** Resolves {@code config} against this JVM's system properties and environment variables. */
    public static ProxySelection resolve(ProxyConfig config, String url) {
        return resolve(config, url, System::getenv, System::getProperty);
    }

    /**
     * Resolves {@code config} against {@code env} (environment variables) and {@code props} (system
     * properties). Throws {@link IllegalArgumentException} naming the setting and the variable at fault.
     */
    public static ProxySelection resolve(ProxyConfig config, String url, UnaryOperator<String> env,
            UnaryOperator<String> props) {
        NoProxy extra = NoProxy.parse(config.noProxy());
        if (config.hasUrl()) {
            HttpProxy proxy = HttpProxy.parse(url, "proxy.url", false);
            Choice choice = new Choice(proxy, "proxy.url", extra);
            return new ProxySelection(choice, choice, notes(config, null, null, env, props), false);
        }
        if (!config.isFromEnvironment()) {
            return DIRECT;
        }
        String socks = props.apply("socksProxyHost");
        if (socks != null && !socks.isBlank()) {
            throw new IllegalArgumentException("proxy.from-environment: the JVM system property socksProxyHost names a "
                    + "SOCKS proxy (" + socks.strip() + "), which keepalive cannot use. Remove socksProxyHost, set an HTTP "
                    + "proxy with proxy.url, or turn proxy.from-environment off to connect directly");
        }
        Choice http = fromJvm(props, "http", 80, extra);
        if (http == null) {
            http = fromVariable(env, "HTTP_PROXY", extra);
        }
        Choice https = fromJvm(props, "https", 443, extra);
        if (https == null) {
            https = fromVariable(env, "HTTPS_PROXY", extra);
        }
        return new ProxySelection(http, https, notes(config, http, https, env, props), true);
    }

    private static List<String> notes(ProxyConfig config, Choice http, Choice https, UnaryOperator<String> env,
            UnaryOperator<String> props) {
        List<String> notes = new ArrayList<>(3);
        boolean fromJvm = isJvm(http) || isJvm(https);
        boolean fromVariables = (http != null && !isJvm(http)) || (https != null && !isJvm(https));
        if (fromJvm && props.apply("http.nonProxyHosts") != null) {
            notes.add("http.nonProxyHosts=" + props.apply("http.nonProxyHosts"));
        }
        String noProxy = firstSet(env, "NO_PROXY");
        if (fromVariables && noProxy != null) {
            notes.add(noProxy + "=" + env.apply(noProxy));
        }
        if (!config.noProxy().isEmpty()) {
            notes.add("proxy.no-proxy=" + String.join(",", config.noProxy()));
        }
        return List.copyOf(notes);
    }

    private static boolean isJvm(Choice choice) {
        return choice != null && choice.source().endsWith(".proxyHost");
    }

    private static Choice fromJvm(UnaryOperator<String> props, String scheme, int defaultPort, NoProxy extra) {
        String host = props.apply(scheme + ".proxyHost");
        if (host == null || host.isBlank()) {
            return null;
        }
        String portText = props.apply(scheme + ".proxyPort");
        int port = defaultPort;
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.strip());
            }
            catch (NumberFormatException ex) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("proxy.from-environment: the JVM system property " + scheme
                        + ".proxyPort is not a port number: '" + portText + "'");
            }
        }
        String property = scheme + ".proxyHost";
        HttpProxy proxy = HttpProxy.parse("http://" + hostForUrl(host.strip()) + ":" + port,
                "proxy.from-environment: the JVM system property " + property, false);
        // The JDK's default when http.nonProxyHosts is unset; loopback is skipped in any case (see select).
        String patterns = props.apply("http.nonProxyHosts");
        NoProxy bypass = patterns == null ? NoProxy.NONE : NoProxy.jvmPatterns(patterns);
        return new Choice(proxy, property, bypass.and(extra));
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static Choice fromVariable(UnaryOperator<String> env, String name, NoProxy extra) {
        String variable = firstSet(env, name);
        if (variable == null) {
            return null;
        }
        HttpProxy proxy = HttpProxy.parse(env.apply(variable),
                "proxy.from-environment: the environment variable " + variable, true);
        String noProxyVariable = firstSet(env, "NO_PROXY");
        NoProxy bypass = noProxyVariable == null ? NoProxy.NONE : NoProxy.parse(List.of(env.apply(noProxyVariable)));
        return new Choice(proxy, variable, bypass.and(extra));
    }

    /** Go's order: the upper-case variable, else the lower-case one; {@code null} when neither is set. */
    private static String firstSet(UnaryOperator<String> env, String upper) {
        for (String name : new String[] { upper, upper.toLowerCase(Locale.ROOT) }) {
            String value = env.apply(name);
            if (value != null && !value.isBlank()) {
                return name;
            }
        }
        return null;
    }

    /** The proxy for a request to {@code scheme://host:port}, or {@code null} to connect directly. */
    public HttpProxy select(String scheme, String host, int port) {
        Choice choice = scheme.equals("https") ? this.https : this.http;
        if (choice == null) {
            return null;
        }
        if (this.skipsLoopback && NoProxy.isLoopback(host)) {
            return null;
        }
        return choice.bypass().bypasses(host, port) ? null : choice.proxy();
    }

    /** Whether any request can go through a proxy. */
    public boolean isDirect() {
        return this.http == null && this.https == null;
    }

    /** Logs, once per transport, the proxies in use and where they came from, without credentials. */
    public void logInUse() {
        if (isDirect()) {
            log.debug("keepalive connects directly: no proxy configured");
            return;
        }
        StringBuilder sb = new StringBuilder("keepalive sends ");
        if (this.http != null && this.https != null && this.http.equals(this.https)) {
            sb.append("http and https requests through proxy ").append(describe(this.http));
        }
        else {
            sb.append("http requests ").append(this.http == null ? "directly" : "through proxy " + describe(this.http));
            sb.append(", https requests ").append(this.https == null ? "directly" : "through proxy " + describe(this.https));
        }
        if (this.skipsLoopback) {
            sb.append("; localhost and loopback addresses go directly");
        }
        if (!this.bypassNotes.isEmpty()) {
            sb.append("; bypassed as ").append(String.join(", ", this.bypassNotes));
        }
        log.info(sb.toString());
    }

    private static String describe(Choice choice) {
        return choice.proxy().name() + " (from " + choice.source() + ")";
    }
}
