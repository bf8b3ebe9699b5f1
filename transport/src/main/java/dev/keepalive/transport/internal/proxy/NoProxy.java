package dev.keepalive.transport.internal.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which targets bypass a proxy. Two syntaxes feed it: {@code NO_PROXY} / {@code proxy.no-proxy} entries, read
 * as Go's {@code httpproxy} reads them, and the JVM's {@code http.nonProxyHosts} patterns. Matching never
 * resolves a name: an IP entry matches only a target written as that IP.
 *
 * <p>{@code NO_PROXY} entries (comma-separated): {@code *} (everything); a CIDR ({@code 10.0.0.0/8},
 * {@code fd00::/8}); an IP; a domain, where {@code example.com} matches it and its subdomains,
 * {@code .example.com} and {@code *.example.com} only its subdomains; each IP or domain optionally with
 * {@code :port}.
 */
final class NoProxy {

    static final NoProxy NONE = new NoProxy(List.of());

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** One entry: does it match this target (host lower case, IPv6 without brackets; ip null for a name)? */
    private interface Rule {
        boolean matches(String host, InetAddress ip, int port);
    }

    private final List<Rule> rules;

    private NoProxy(List<Rule> rules) {
        this.rules = rules;
    }

    /** {@code NO_PROXY} entries; each element may itself hold several, separated by commas. */
    static NoProxy parse(List<String> entries) {
        List<Rule> rules = new ArrayList<>();
        for (String element : entries) {
            for (String raw : element.split(",")) {
                Rule rule = entry(raw.strip().toLowerCase(Locale.ROOT));
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        return new NoProxy(List.copyOf(rules));
    }

    /** The JVM's {@code http.nonProxyHosts}: patterns separated by {@code |}, {@code *} at either end. */
    static NoProxy jvmPatterns(String patterns) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : patterns.split("\\|")) {
            String p = raw.strip().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            boolean anyPrefix = p.startsWith("*");
            boolean anySuffix = p.length() > 1 && p.endsWith("*");
            String core = p.substring(anyPrefix ? 1 : 0, p.length() - (anySuffix ? 1 : 0));
            rules.add((host, ip, port) -> {
                // The JDK's own default lists "[::1]": an IPv6 target is tried with and without brackets.
                for (String form : host.indexOf(':') >= 0 ? new String[] { host, "[" + host + "]" } : new String[] { host }) {
                    boolean hit = anyPrefix && anySuffix ? form.contains(core)
                            : anyPrefix ? form.endsWith(core) : anySuffix ? form.startsWith(core) : form.equals(core);
                    if (hit) {
                        return true;
                    }
                }
                return false;
            });
        }
        return new NoProxy(List.copyOf(rules));
    }

    /** These rules and {@code other}'s. */
    NoProxy and(NoProxy other) {
        if (other.rules.isEmpty()) {
            return this;
        }
        List<Rule> all = new ArrayList<>(this.rules);
        all.addAll(other.rules);
        return new NoProxy(List.copyOf(all));
    }

    boolean isEmpty() {
        return this.rules.isEmpty();
    }

    /** Whether a request to {@code host:port} goes direct. */
    boolean bypasses(String host, int port) {
        if (this.rules.isEmpty()) {
            return false;
        }
        String h = unbracket(host.toLowerCase(Locale.ROOT));
        InetAddress ip = literal(h);
        for (Rule rule : this.rules) {
            if (rule.matches(h, ip, port)) {
                return true;
            }
        }
        return false;
    }

    /** Go's rule for environment proxies: {@code localhost} and loopback IP literals are never proxied. */
    static boolean isLoopback(String host) {
        String h = unbracket(host.toLowerCase(Locale.ROOT));
        if (h.equals("localhost")) {
            return true;
        }
        InetAddress ip = literal(h);
        return ip != null && ip.isLoopbackAddress();
    }

    private static Rule entry(String p) {
        if (p.isEmpty()) {
            return null;
        }
        if (p.equals("*")) {
            return (host, ip, port) -> true;
        }
        int slash = p.indexOf('/');
        if (slash > 0) {
            return cidr(p, slash);
        }
        String host = p;
        int port = -1;
        int colon = p.lastIndexOf(':');
        if (p.startsWith("[") && p.contains("]")) {
            int close = p.indexOf(']');
            host = p.substring(1, close);
            port = close + 1 < p.length() && p.charAt(close + 1) == ':' ? portOf(p.substring(close + 2)) : -1;
        }
        else if (colon > 0 && p.indexOf(':') == colon) {
            // One colon: host:port. (Several colons without brackets: a bare IPv6 literal.)
            host = p.substring(0, colon);
            port = portOf(p.substring(colon + 1));
        }
        if (host.isEmpty() || port == -2) {
            return null; // malformed; ignored, as Go ignores it
        }
        int wantedPort = port;
        InetAddress entryIp = literal(host);
        if (entryIp != null) {
            return (h, ip, targetPort) -> entryIp.equals(ip) && (wantedPort < 0 || wantedPort == targetPort);
        }
        if (host.startsWith("*.")) {
            host = host.substring(1);
        }
        boolean matchesItself = !host.startsWith(".");
        String suffix = matchesItself ? "." + host : host;
        return (h, ip, targetPort) -> (h.endsWith(suffix) || (matchesItself && h.equals(suffix.substring(1))))
                && (wantedPort < 0 || wantedPort == targetPort);
    }

    private static Rule cidr(String p, int slash) {
        InetAddress network = literal(unbracket(p.substring(0, slash)));
        int bits = portOf(p.substring(slash + 1)); // a small decimal, read like a port
        if (network == null || bits < 0 || bits > network.getAddress().length * 8) {
            return null;
        }
        byte[] net = network.getAddress();
        return (host, ip, port) -> ip != null && inPrefix(net, ip.getAddress(), bits);
    }

    private static boolean inPrefix(byte[] net, byte[] address, int bits) {
        if (net.length != address.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((net[i / 8] & mask) != (address[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** A non-negative decimal up to 65535, or -2 when it is not one. */
    private static int portOf(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
            return -2;
        }
        int n = Integer.parseInt(text);
        return n <= 65535 ? n : -2;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The address of an IP literal, without any lookup; {@code null} for a host name. */
    static InetAddress literal(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                String[] parts = host.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return null;
                    }
                    bytes[i] = (byte) octet;
                }
                return InetAddress.getByAddress(bytes);
            }
            if (host.indexOf(':') >= 0) {
                // In brackets the JDK only parses an IPv6 literal: a malformed one fails instead of being looked up.
                return InetAddress.getByName("[" + host + "]");
            }
        }
        catch (UnknownHostException ex) {
            // not a literal
        }
        return null;
    }
}
