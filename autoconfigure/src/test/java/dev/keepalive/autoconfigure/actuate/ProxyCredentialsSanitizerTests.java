package dev.keepalive.autoconfigure.actuate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.actuate.endpoint.SanitizableData;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link ProxyCredentialsSanitizer} shows of each value: the user-info of the proxy URLs keepalive
 * reads is masked, host and port stay, anything else is left to Boot's own sanitizing.
 */
class ProxyCredentialsSanitizerTests {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "keepalive.proxy.url | http://alice:pw@proxy.corp:3128     | http://******@proxy.corp:3128",
            "KEEPALIVE.PROXY.URL | http://alice@proxy.corp:3128        | http://******@proxy.corp:3128",
            "HTTPS_PROXY         | http://alice:p@ss@proxy.corp:3128/  | http://******@proxy.corp:3128/",
            "http_proxy          | alice:pw@proxy.corp:3128            | ******@proxy.corp:3128",
            "HTTP_PROXY          | http://proxy.corp:3128              | http://proxy.corp:3128",
            "keepalive.proxy.url | http://proxy.corp:3128/?a=b@c       | http://proxy.corp:3128/?a=b@c",
            "other.url           | http://alice:pw@proxy.corp:3128     | http://alice:pw@proxy.corp:3128" })
    void masksTheUserInfoOfProxyUrlsOnly(String key, String value, String shown) {
        SanitizableData data = new SanitizableData(null, key, value);
        assertThat(new ProxyCredentialsSanitizer().apply(data).getValue()).isEqualTo(shown);
    }

}
