package dev.keepalive.transport;

import java.util.List;
import java.util.Map;

import dev.keepalive.transport.internal.pool.Route;
import dev.keepalive.transport.internal.proxy.HttpProxy;
import dev.keepalive.transport.internal.proxy.ProxySelection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which proxy a request goes through (rule 21): an explicit URL for everything, or Go's
 * {@code ProxyFromEnvironment} with the JVM's proxy properties first; {@code NO_PROXY} as Go reads it; the
 * JVM's {@code http.nonProxyHosts}; loopback never proxied from the environment; every refusal names the
 * setting and never the credentials. The environment is given as maps here; ProxyEnvironmentTest runs a
 * child JVM with real variables and properties.
 */
class ProxySelectionTest {

    private static final Map<String, String> NONE = Map.of();

    @Test
    void anExplicitUrlProxiesEveryTargetLoopbackIncluded() {
        ProxySelection selection = resolve(ProxyConfig.url("http://u:p@proxy.corp:3128"), NONE, NONE);
        for (String scheme : new String[] { "http", "https" }) {
            assertThat(selection.select(scheme, "api.example.com", 443)).hasToString("http://proxy.corp:3128");
            assertThat(selection.select(scheme, "127.0.0.1", 8080)).hasToString("http://proxy.corp:3128");
            assertThat(selection.select(scheme, "localhost", 8080)).isNotNull();
        }
        assertThat(selection.select("http", "a", 1).authorization()).isEqualTo("Basic dTpw");
    }

    @Test
    void anExplicitUrlWinsOverTheEnvironmentAndItsSocksProxy() {
        ProxySelection selection = resolve(ProxyConfig.url("http://proxy.corp:3128"),
                Map.of("HTTPS_PROXY", "http://other:1"), Map.of("socksProxyHost", "socks.corp"));
        assertThat(selection.select("https", "api.example.com", 443)).hasToString("http://proxy.corp:3128");
    }

    @Test
    void directIgnoresTheEnvironment() {
        ProxySelection selection = resolve(ProxyConfig.direct(), Map.of("HTTP_PROXY", "http://p:1"),
                Map.of("socksProxyHost", "socks.corp", "http.proxyHost", "p"));
        assertThat(selection.isDirect()).isTrue();
        assertThat(selection.select("http", "api.example.com", 80)).isNull();
    }

    @Test
    void eachSchemeHasItsOwnVariableUpperCaseFirstAndAPortDefaultingTo80() {
        ProxySelection selection = resolve(ProxyConfig.fromEnvironment(),
                Map.of("HTTP_PROXY", "http://upper:3128", "http_proxy", "http://lower:3128",
                        "https_proxy", "secure-proxy.corp"), NONE);
        assertThat(selection.select("http", "api.example.com", 80)).hasToString("http://upper:3128");
        assertThat(selection.select("https", "api.example.com", 443)).hasToString("http://secure-proxy.corp:80");
        assertThat(resolve(ProxyConfig.fromEnvironment(), Map.of("HTTPS_PROXY", "http://p:1"), NONE)
                .select("http", "api.example.com", 80)).as("HTTPS_PROXY is for https targets only").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1" })
    void theEnvironmentNeverProxiesLoopback(String host) {
        ProxySelection selection = resolve(ProxyConfig.fromEnvironment(),
                Map.of("HTTP_PROXY", "http://p:3128", "HTTPS_PROXY", "http://p:3128"),
                Map.of("http.proxyHost", "jvm-proxy"));
        assertThat(selection.select("http", host, 80)).isNull();
        assertThat(selection.select("https", host, 443)).isNull();
        assertThat(selection.select("https", "192.0.2.7", 443)).isNotNull();
        assertThat(selection.select("http", "localhost.example", 80)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "example.com            | example.com     | 443 | true",
            "example.com            | api.example.com | 443 | true",
            "example.com            | badexample.com  | 443 | false",
            ".example.com           | api.example.com | 443 | true",
            ".example.com           | example.com     | 443 | false",
            "*.example.com          | api.example.com | 443 | true",
            "*.example.com          | example.com     | 443 | false",
            "example.com:8443       | example.com     | 8443| true",
            "example.com:8443       | example.com     | 443 | false",
            "10.0.0.0/8             | 10.20.30.40     | 443 | true",
            "10.0.0.0/8             | 11.0.0.1        | 443 | false",
            "10.0.0.0/8             | ten.example     | 443 | false",
            "fd00::/8               | fd12::1         | 443 | true",
            "fd00::/8               | fe80::1         | 443 | false",
            "192.0.2.7              | 192.0.2.7       | 443 | true",
            "192.0.2.7:443          | 192.0.2.7       | 80  | false",
            "[2001:db8::1]:443      | 2001:db8::1     | 443 | true",
            "2001:db8::1            | [2001:db8::1]   | 443 | true",
            "*                      | anything.at.all | 443 | true",
            " EXAMPLE.com ,, other  | api.example.com | 443 | true",
            "999.1.1.1              | 999.1.1.1       | 443 | true",
            "10.0.0.0/33            | 10.0.0.1        | 443 | false" })
    void noProxyEntriesAreReadAsGoReadsThem(String noProxy, String host, int port, boolean bypassed) {
        ProxySelection selection = resolve(ProxyConfig.fromEnvironment(),
                Map.of("HTTPS_PROXY", "http://p:3128", "NO_PROXY", noProxy), NONE);
        assertThat(selection.select("https", host, port) == null).isEqualTo(bypassed);
        ProxySelection explicit = resolve(ProxyConfig.url("http://p:3128").withNoProxy(List.of(noProxy)), NONE, NONE);
        assertThat(explicit.select("https", host, port) == null).as("proxy.no-proxy reads the same").isEqualTo(bypassed);
    }

    @Test
    void lowerCaseNoProxyIsReadAndTheNoProxyPropertyAddsToIt() {
        ProxySelection selection = resolve(ProxyConfig.fromEnvironment().withNoProxy(List.of(".internal")),
                Map.of("http_proxy", "http://p:3128", "no_proxy", "example.com"), NONE);
        assertThat(selection.select("http", "example.com", 80)).isNull();
        assertThat(selection.select("http", "db.internal", 80)).isNull();
        assertThat(selection.select("http", "example.org", 80)).isNotNull();
    }

    @Test
    void theJvmsPropertiesComeBeforeTheVariablesWithTheirOwnNonProxyHosts() {
        ProxySelection selection = resolve(ProxyConfig.fromEnvironment(),
                Map.of("HTTP_PROXY", "http://env-proxy:3128", "HTTPS_PROXY", "http://env-proxy:3128",
                        "NO_PROXY", "example.org"),
                Map.of("http.proxyHost", "jvm-proxy", "https.proxyHost", "jvm-secure", "https.proxyPort", "8443",
                        "http.nonProxyHosts", "*.internal|10.*|exact.host"));
        assertThat(selection.select("http", "example.com", 80)).hasToString("http://jvm-proxy:80");
        assertThat(selection.select("https", "example.com", 443)).hasToString("http://jvm-secure:8443");
        assertThat(selection.select("https", "db.internal", 443)).isNull();
        assertThat(selection.select("https", "10.1.2.3", 443)).isNull();
        assertThat(selection.select("http", "exact.host", 80)).isNull();
        assertThat(selection.select("http", "example.org", 80)).as("NO_PROXY belongs to the variables")
                .hasToString("http://jvm-proxy:80");
        ProxySelection httpOnly = resolve(ProxyConfig.fromEnvironment(), Map.of("HTTPS_PROXY", "http://env-proxy:3128"),
                Map.of("http.proxyHost", "jvm-proxy"));
        assertThat(httpOnly.select("https", "example.com", 443)).hasToString("http://env-proxy:3128");
        assertThat(resolve(ProxyConfig.fromEnvironment(), NONE, Map.of("https.proxyHost", "jvm-secure"))
                .select("https", "example.com", 443)).hasToString("http://jvm-secure:443");
    }

    @Test
    void aSocksProxyInTheJvmFailsNamingTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> resolve(ProxyConfig.fromEnvironment(), NONE, Map.of("socksProxyHost", "socks.corp")))
                .withMessageStartingWith("proxy.from-environment: ")
                .withMessageContaining("socksProxyHost")
                .withMessageContaining("SOCKS")
                .withMessageContaining("socks.corp");
    }

    @ParameterizedTest
    @ValueSource(strings = { "socks5://alice:pw-secret@socks.corp:1080", "socks5h://socks.corp:1080",
            "socks4://socks.corp:1080" })
    void aSocksVariableFailsNamingItWithoutCredentials(String value) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> resolve(ProxyConfig.fromEnvironment(), Map.of("https_proxy", value), NONE))
                .withMessageStartingWith("proxy.from-environment: the environment variable https_proxy is a SOCKS proxy")
                .withMessageContaining("socks.corp:1080")
                .withMessageNotContaining("alice")
                .withMessageNotContaining("pw-secret");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "socks5://alice:pw-secret@socks.corp:1080 | proxy.url is a SOCKS proxy (socks5://socks.corp:1080)",
            "https://alice:pw-secret@proxy.corp:3128  | proxy.url (https://proxy.corp:3128) asks for TLS to the proxy",
            "ftp://alice:pw-secret@proxy.corp:21      | proxy.url must be http://[user:password@]host:port, but its scheme is 'ftp'",
            "proxy.corp:3128                          | proxy.url must be http://[user:password@]host:port, but its scheme is 'proxy.corp'",
            "http://alice:pw-secret@                  | proxy.url has no host",
            "http://alice:pw secret@proxy.corp:3128   | proxy.url is not a valid URL",
            "http://alice:pw-secret@proxy.corp:3128/x?pw-secret | proxy.url must be http://[user:password@]host:port with no path",
            "http://alice:pw-secret@proxy_corp:3128   | proxy.url has no host" })
    void aBadUrlFailsNamingTheSettingWithoutCredentials(String url, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> resolve(ProxyConfig.url(url), NONE, NONE))
                .withMessageStartingWith(message)
                .withMessageNotContaining("alice")
                .withMessageNotContaining("pw-secret")
                .withMessageNotContaining("pw secret");
    }

    @Test
    void aBadJvmPortFailsNamingTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> resolve(ProxyConfig.fromEnvironment(), NONE,
                        Map.of("https.proxyHost", "p", "https.proxyPort", "eighty")))
                .withMessage("proxy.from-environment: the JVM system property https.proxyPort is not a port number: "
                        + "'eighty'");
    }

    @Test
    void credentialsArePercentDecodedIntoBasicAndNeverShown() {
        HttpProxy proxy = HttpProxy.parse("http://al%40ice:p%3Aw%20d@Proxy.Corp:3128", "proxy.url", false);
        assertThat(proxy.authorization()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("al@ice:p:w d".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(proxy).hasToString("http://proxy.corp:3128");
        assertThat(new Route("http", "t", 80, null).via(proxy).toString()).doesNotContain("Basic", "al", "p%3A");
        assertThat(ProxyConfig.url("http://al%40ice:p%3Aw%20d@Proxy.Corp:3128").toString())
                .isEqualTo("ProxyConfig[url http://proxy.corp:3128]");
        assertThat(new Route("https", "t", 443, null).via(proxy).name())
                .isEqualTo("https://t:443 via http://proxy.corp:3128");
    }

    @Test
    void routesThroughDifferentProxiesOrCredentialsAreDifferentKeys() {
        Route direct = new Route("http", "t", 80, null);
        HttpProxy a = HttpProxy.parse("http://u:1@p:3128", "proxy.url", false);
        HttpProxy b = HttpProxy.parse("http://u:2@p:3128", "proxy.url", false);
        assertThat(direct.via(a)).isNotEqualTo(direct).isNotEqualTo(direct.via(b))
                .isEqualTo(direct.via(HttpProxy.parse("http://u:1@P:3128", "proxy.url", false)));
        assertThat(direct.via(null)).isSameAs(direct);
    }

    private static ProxySelection resolve(ProxyConfig config, Map<String, String> env, Map<String, String> props) {
        return ProxySelection.resolve(config, config.rawUrl(), env::get, props::get);
    }
}
