package dev.keepalive.transport;

import java.net.URI;

import dev.keepalive.transport.internal.pool.Route;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Design §3 rule 17: a route's name, its per-host key and the {@code Host} header follow RFC 3986, an IPv6
 * literal in exactly one pair of brackets and the port only when it is not the scheme's default.
 */
class RouteTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://example.com/a          | example.com   | http://example.com:80          | example.com:80          | example.com
            http://Example.COM:8080/a     | example.com   | http://example.com:8080        | example.com:8080        | example.com:8080
            https://example.com/          | example.com   | https://example.com:443        | example.com:443         | example.com
            https://example.com:80/       | example.com   | https://example.com:80         | example.com:80          | example.com:80
            http://127.0.0.1:8081/x       | 127.0.0.1     | http://127.0.0.1:8081          | 127.0.0.1:8081          | 127.0.0.1:8081
            http://[::1]:8080/x           | ::1           | http://[::1]:8080              | [::1]:8080              | [::1]:8080
            http://[::1]/x                | ::1           | http://[::1]:80                | [::1]:80                | [::1]
            https://[::1]/x               | ::1           | https://[::1]:443              | [::1]:443               | [::1]
            https://[2001:DB8::7]:8443/   | 2001:db8::7   | https://[2001:db8::7]:8443     | [2001:db8::7]:8443      | [2001:db8::7]:8443
            """)
    void namesAndHostHeader(String uri, String host, String name, String hostPort, String hostHeader) {
        Route route = Route.of(URI.create(uri), Route.TlsProfile.of(null, null));

        assertThat(route.host()).isEqualTo(host);
        assertThat(route.name()).isEqualTo(name);
        assertThat(route.hostPort()).isEqualTo(hostPort);
        assertThat(route.hostHeader()).isEqualTo(hostHeader);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "http://[::1]:8080/, true", "https://127.0.0.1/, true", "https://10.1.2.3:8443/, true",
            "https://example.com/, false", "https://localhost:8443/, false", "https://1.2.3.example/, false" })
    void ipLiterals(String uri, boolean literal) {
        assertThat(Route.of(URI.create(uri), Route.TlsProfile.of(null, null)).ipLiteral()).isEqualTo(literal);
    }
}
