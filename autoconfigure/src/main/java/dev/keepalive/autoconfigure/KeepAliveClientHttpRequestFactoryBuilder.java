package dev.keepalive.autoconfigure;

import javax.net.ssl.SSLParameters;

import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.RequestOptions;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * A {@link ClientHttpRequestFactoryBuilder} whose factories all share one {@link KeepAliveTransport}, and so
 * one connection pool. Each {@link #build(HttpClientSettings)} returns a light factory over the transport
 * that applies that call's settings: timeouts, redirects and SSL bundle. Timeouts that the settings leave
 * unset fall back to the transport's ({@code keepalive.connect-timeout}, {@code keepalive.read-timeout}).
 * <p>
 * Spring Boot calls {@code build} every time a {@code RestClient.Builder} or {@code RestTemplateBuilder}
 * is used, so building must not open connections or start threads; it does neither.
 */
public final class KeepAliveClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> {

    private final KeepAliveTransport transport;

    private final BundleSslContexts sslContexts = new BundleSslContexts();

    /**
     * Creates a builder over {@code transport}.
     * @param transport the shared transport; its lifecycle stays with the caller
     */
    public KeepAliveClientHttpRequestFactoryBuilder(KeepAliveTransport transport) {
        this.transport = transport;
    }

    /** The transport every factory built here runs on. */
    public KeepAliveTransport transport() {
        return this.transport;
    }

    @Override
    public ClientHttpRequestFactory build(HttpClientSettings settings) {
        return this.transport.requestFactory(requestOptions(settings, this.sslContexts));
    }

    /**
     * Maps Boot's per-client settings onto the transport's per-factory options; an SSL bundle's context
     * comes from {@code sslContexts}, so that every client of one bundle shares its routes.
     */
    static RequestOptions requestOptions(HttpClientSettings settings, BundleSslContexts sslContexts) {
        RequestOptions options = RequestOptions.defaults();
        if (settings == null) {
            return options;
        }
        if (settings.inetAddressFilter() != null) {
            throw new IllegalStateException("The keepalive transport cannot apply an InetAddressFilter; "
                    + "define your own ClientHttpRequestFactoryBuilder bean or set keepalive.enabled=false");
        }
        if (settings.cookieHandling() == HttpCookieHandling.ENABLE) {
            throw new IllegalStateException("The keepalive transport does not keep cookies, but "
                    + "spring.http.clients.cookie-handling is 'enable'; use 'enable-when-possible' or 'disable', "
                    + "or set keepalive.enabled=false");
        }
        if (settings.connectTimeout() != null) {
            options = options.withConnectTimeout(settings.connectTimeout());
        }
        if (settings.readTimeout() != null) {
            options = options.withReadTimeout(settings.readTimeout());
        }
        options = options.withFollowRedirects(settings.redirects() != HttpRedirects.DONT_FOLLOW);
        SslBundle bundle = settings.sslBundle();
        if (bundle != null) {
            options = options.withTls(sslContexts.contextOf(bundle), sslParameters(bundle.getOptions()));
        }
        return options;
    }

    private static SSLParameters sslParameters(SslOptions sslOptions) {
        if (sslOptions == null || !sslOptions.isSpecified()) {
            return null;
        }
        SSLParameters parameters = new SSLParameters();
        if (sslOptions.getEnabledProtocols() != null) {
            parameters.setProtocols(sslOptions.getEnabledProtocols());
        }
        if (sslOptions.getCiphers() != null) {
            parameters.setCipherSuites(sslOptions.getCiphers());
        }
        return parameters;
    }

}
