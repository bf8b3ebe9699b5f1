package dev.keepalive.autoconfigure;

import java.time.Duration;

import dev.keepalive.transport.RequestOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for how {@link KeepAliveClientHttpRequestFactoryBuilder} maps Boot's {@link HttpClientSettings}.
 */
class KeepAliveClientHttpRequestFactoryBuilderTests {

    @Test
    void noSettingsKeepTheTransportsDefaults() {
        assertThat(requestOptions(null)).isEqualTo(RequestOptions.defaults());
        assertThat(requestOptions(HttpClientSettings.defaults()))
            .isEqualTo(RequestOptions.defaults());
    }

    @Test
    void timeoutsAreBootsWhenSet() {
        RequestOptions options = requestOptions(
                HttpClientSettings.defaults().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(7)));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.readTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void redirects() {
        assertThat(options(HttpRedirects.FOLLOW).followRedirects()).isTrue();
        assertThat(options(HttpRedirects.FOLLOW_WHEN_POSSIBLE).followRedirects()).isTrue();
        assertThat(options(HttpRedirects.DONT_FOLLOW).followRedirects()).isFalse();
    }

    @Test
    void sslBundleGivesContextProtocolsAndCiphers() {
        SslBundle bundle = SslBundle.of(SslStoreBundle.NONE, null,
                SslOptions.of(new String[] { "TLS_AES_128_GCM_SHA256" }, new String[] { "TLSv1.3" }));
        RequestOptions options = requestOptions(HttpClientSettings.ofSslBundle(bundle));
        assertThat(options.sslContext()).isNotNull();
        assertThat(options.sslParameters().getProtocols()).containsExactly("TLSv1.3");
        assertThat(options.sslParameters().getCipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
    }

    @Test
    void sslBundleWithoutOptionsKeepsTheContextsDefaults() {
        RequestOptions options = requestOptions(HttpClientSettings.ofSslBundle(SslBundle.of(SslStoreBundle.NONE)));
        assertThat(options.sslContext()).isNotNull();
        assertThat(options.sslParameters()).isNull();
    }

    @Test
    void cookieHandlingThatCannotBeHonouredFailsLoudly() {
        assertThatIllegalStateException()
            .isThrownBy(() -> requestOptions(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE)))
            .withMessageContaining("spring.http.clients.cookie-handling");
        assertThat(requestOptions(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE_WHEN_POSSIBLE)))
            .isEqualTo(RequestOptions.defaults());
    }

    @Test
    void inetAddressFilterThatCannotBeHonouredFailsLoudly() {
        assertThatIllegalStateException()
            .isThrownBy(() -> requestOptions(
                    HttpClientSettings.defaults().withInetAddressFilter(InetAddressFilter.externalAddresses())))
            .withMessageContaining("InetAddressFilter");
    }

    private static RequestOptions requestOptions(HttpClientSettings settings) {
        return KeepAliveClientHttpRequestFactoryBuilder.requestOptions(settings, new BundleSslContexts());
    }

    private static RequestOptions options(HttpRedirects redirects) {
        return requestOptions(HttpClientSettings.defaults().withRedirects(redirects));
    }

}
