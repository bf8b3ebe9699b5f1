package dev.keepalive.autoconfigure.actuate;

import java.util.List;
import java.util.Map;

import dev.keepalive.transport.RouteSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for how {@link HttpPoolsEndpoint} finds the route named in {@code httppools/{route}}.
 */
class HttpPoolsEndpointTests {

    private final List<RouteSnapshot> routes = List.of(route("http://127.0.0.1:8081"),
            route("https://api.example.com:443"));

    @Test
    void findsTheRouteByItsFullName() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "http://127.0.0.1:8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void findsTheRouteStillUrlEncoded() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "http%3A%2F%2F127.0.0.1%3A8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void findsTheRouteWithoutTheSchemeSlashes() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "https:api.example.com:443")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("https://api.example.com:443");
    }

    @Test
    void findsTheRouteWhoseSchemeSlashesTheServerCollapsed() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "http:/127.0.0.1:8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void hostNamedLikeASchemeIsStillAHost() {
        List<RouteSnapshot> local = List.of(route("http://localhost:8081"));
        assertThat(HttpPoolsEndpoint.find(local, "localhost:8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://localhost:8081");
    }

    @Test
    void findsTheRouteByHostAndPort() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "127.0.0.1:8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void findsARouteThroughAProxyWrittenOutOrWithCollapsedSlashes() {
        List<RouteSnapshot> proxied = List.of(route("http://127.0.0.1:8081"),
                route("http://127.0.0.1:8081 via http://127.0.0.1:3128"));
        for (String selector : new String[] { "http://127.0.0.1:8081 via http://127.0.0.1:3128",
                "http:/127.0.0.1:8081 via http:/127.0.0.1:3128", "http%3A%2F%2F127.0.0.1%3A8081%20via%20http%3A%2F%2F127.0.0.1%3A3128",
                "127.0.0.1:8081 via http://127.0.0.1:3128" }) {
            assertThat(HttpPoolsEndpoint.find(proxied, selector)).as(selector).get()
                .extracting(RouteSnapshot::route)
                .isEqualTo("http://127.0.0.1:8081 via http://127.0.0.1:3128");
        }
        assertThat(HttpPoolsEndpoint.find(proxied, "127.0.0.1:8081")).get()
            .extracting(RouteSnapshot::route)
            .isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void unknownRouteIsEmpty() {
        assertThat(HttpPoolsEndpoint.find(this.routes, "127.0.0.1:8082")).isEmpty();
        assertThat(HttpPoolsEndpoint.find(this.routes, "https://127.0.0.1:8081")).isEmpty();
    }

    private static RouteSnapshot route(String name) {
        return new RouteSnapshot(name, 0, 0, 0, 0, 32, 0, 0, 0, Map.of(), List.of());
    }

}
