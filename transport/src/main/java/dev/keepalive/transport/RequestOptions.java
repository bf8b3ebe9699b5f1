package dev.keepalive.transport;

import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Per-factory options applied on top of a transport's {@link KeepAliveSettings}, the way Spring Boot's
 * {@code HttpClientSettings} configures each request factory it builds. Connections made with different
 * TLS settings are pooled apart.
 *
 * @param connectTimeout TCP connect timeout, or {@code null} for the transport's
 * @param readTimeout socket read timeout, or {@code null} for the transport's
 * @param followRedirects whether 3xx responses with a {@code Location} are followed
 * @param sslContext the TLS context for {@code https}, or {@code null} for the JDK default
 * @param sslParameters protocols and cipher suites to enable, or {@code null} for the context's defaults
 */
public record RequestOptions(Duration connectTimeout, Duration readTimeout, boolean followRedirects,
        SSLContext sslContext, SSLParameters sslParameters) {

    /** The transport's timeouts, redirects followed, the JDK's default TLS. */
    public static RequestOptions defaults() {
        return new RequestOptions(null, null, true, null, null);
    }

    /** These options with another connect timeout. */
    public RequestOptions withConnectTimeout(Duration timeout) {
        return new RequestOptions(timeout, this.readTimeout, this.followRedirects, this.sslContext, this.sslParameters);
    }

    /** These options with another read timeout. */
    public RequestOptions withReadTimeout(Duration timeout) {
        return new RequestOptions(this.connectTimeout, timeout, this.followRedirects, this.sslContext, this.sslParameters);
    }

    /** These options with redirects followed or not. */
    public RequestOptions withFollowRedirects(boolean follow) {
        return new RequestOptions(this.connectTimeout, this.readTimeout, follow, this.sslContext, this.sslParameters);
    }

    /** These options with another TLS context and parameters. */
    public RequestOptions withTls(SSLContext context, SSLParameters parameters) {
        return new RequestOptions(this.connectTimeout, this.readTimeout, this.followRedirects, context, parameters);
    }
}
