package dev.keepalive.transport.internal.body;

import java.lang.management.ManagementFactory;
import java.net.URI;

import dev.keepalive.transport.internal.pool.Route;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line recorded for the first body of each request: found again for the same method, route and path
 * template, never for another, without allocating, and in bounded memory.
 */
class RequestSitesTest {

    private static final Route ROUTE = Route.of(URI.create("http://127.0.0.1:8080/"), null);
    private static final Route OTHER_ROUTE = Route.of(URI.create("http://127.0.0.1:8081/"), null);

    @Test
    void matchingAPathAgainstATemplateAgreesWithBuildingTheTemplate() {
        String[] paths = { "", "/", "/users", "/users/", "/users/42", "/users/42/orders", "/users/ab/orders",
                "/users/4a2/orders/7", "//x", "/{}", "/users/{}", "users/42", "/a/b/c/d", "/a/b/c/d/" };
        for (String path : paths) {
            for (String other : paths) {
                String template = SuspectRequests.template(other);
                assertThat(SuspectRequests.matchesTemplate(path, template))
                        .as("'%s' against the template of '%s' (%s)", path, other, template)
                        .isEqualTo(SuspectRequests.template(path).equals(template));
            }
        }
    }

    @Test
    void findsTheRequestByMethodRouteAndPathTemplate() {
        RequestSites sites = new RequestSites();
        Throwable origin = new Throwable("opened here");
        sites.remember("GET", ROUTE, "/users/41/orders", origin);
        RequestSites.Site site = sites.find("GET", ROUTE, "/users/42/orders");
        assertThat(site).isNotNull();
        assertThat(site.openedAt()).startsWith(
                "dev.keepalive.transport.internal.body.RequestSitesTest.findsTheRequestByMethodRouteAndPathTemplate(");
        assertThat(sites.find("POST", ROUTE, "/users/42/orders")).isNull();
        assertThat(sites.find("GET", OTHER_ROUTE, "/users/42/orders")).isNull();
        assertThat(sites.find("GET", ROUTE, "/users/42")).isNull();
        assertThat(sites.find("GET", ROUTE, "/users/ab/orders")).isNull();
        sites.remember("GET", ROUTE, "/users/43/orders", new Throwable());
        assertThat(sites.size()).as("one request, remembered once").isEqualTo(1);
        assertThat(sites.find("GET", ROUTE, "/users/44/orders")).isSameAs(site);
    }

    @Test
    void findingAKnownRequestCostsNoAllocation() {
        RequestSites sites = new RequestSites();
        for (int i = 0; i < 500; i++) {
            sites.remember("GET", ROUTE, "/items/x" + letters(i) + "/7", new Throwable());
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        String known = "/items/x" + letters(250) + "/8";
        String unknown = "/elsewhere/with/some/segments";
        int hits = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            hits += sites.find("GET", ROUTE, known) != null ? 1 : 0;
            hits += sites.find("GET", ROUTE, unknown) != null ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            hits += sites.find("GET", ROUTE, known) != null ? 1 : 0;
            hits += sites.find("GET", ROUTE, unknown) != null ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(hits).isEqualTo(120_000);
        assertThat(allocated).as("bytes allocated by 200 000 look-ups").isLessThan(16 * 1024);
    }

    @Test
    void staysBoundedAndStopsLearningWhenFull() {
        RequestSites sites = new RequestSites();
        for (int i = 0; i < RequestSites.MAX * 3; i++) {
            sites.remember("GET", ROUTE, "/reports/" + letters(i), new Throwable());
        }
        assertThat(sites.size()).isEqualTo(RequestSites.MAX);
        assertThat(sites.full()).isTrue();
        assertThat(sites.find("GET", ROUTE, "/reports/" + letters(0))).isNotNull();
        assertThat(sites.find("GET", ROUTE, "/reports/" + letters(RequestSites.MAX * 2))).isNull();
    }

    private static String letters(int n) {
        StringBuilder sb = new StringBuilder();
        int v = n;
        do {
            sb.append((char) ('a' + v % 26));
            v /= 26;
        }
        while (v > 0);
        return sb.toString();
    }
}
