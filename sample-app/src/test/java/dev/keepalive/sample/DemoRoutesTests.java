package dev.keepalive.sample;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import dev.keepalive.test.AllowBodyLeaks;
import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.BodySnapshot;
import dev.keepalive.transport.CloseReason;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.RouteSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each demo route against the sample itself as upstream, with the sample's own {@code application.yml}
 * (cap 8 per host, 2 s acquire timeout, 3 s leak threshold, stacks always captured). keepalive-test checks
 * every test here; the demos that leak on purpose say so with {@link AllowBodyLeaks}, and read-no-close
 * passes with keepalive-test's warning, as a body read to EOF and never closed should.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DemoRoutesTests {

    private static final String OPENED_AT_LINE = "dev\\.keepalive\\.sample\\.%s\\.run\\(%s\\.java:\\d+\\)";

    @LocalServerPort
    private int port;

    @Autowired
    private KeepAliveTransport transport;

    private SampleHttp http;

    private String route;

    @BeforeEach
    void cleanPool() {
        this.http = new SampleHttp(this.port);
        this.route = "http://127.0.0.1:" + this.port;
        OpenBodies.reclaimAll(this.transport);
    }

    @Test
    void correctReadsAndClosesAndTheNextCallReusesTheConnection() throws Exception {
        DocumentContext first = this.http.getJson("/demo/correct", 200);
        DocumentContext second = this.http.getJson("/demo/correct", 200);
        Map<String, Object> json = second.read("$");
        assertThat(json).containsKeys("route", "status", "bytesRead", "connectionReused", "lesson");
        assertThat(json).containsEntry("demo", "correct")
            .containsEntry("route", this.route)
            .containsEntry("uri", this.route + "/upstream/bytes/1024")
            .containsEntry("status", 200)
            .containsEntry("bytesRead", 1024)
            .containsEntry("connectionReused", true);
        assertThat(second.<Integer>read("$.connectionId")).isEqualTo(first.<Integer>read("$.connectionId"));
        assertThat(second.<String>read("$.lesson")).contains("close");
        assertThat(this.transport.bodies().open()).isZero();
    }

    @Test
    void correctReadsAChunkedBodyToTheEnd() throws Exception {
        DocumentContext json = this.http.getJson("/demo/correct?path=/upstream/chunked/10000", 200);
        assertThat(json.<Integer>read("$.bytesRead")).isEqualTo(10000);
        assertThat(json.<String>read("$.uri")).isEqualTo(this.route + "/upstream/chunked/10000");
    }

    @Test
    void readNoCloseHandsTheConnectionBackAtEofAndCountsTheDroppedBodyAfterGc() throws Exception {
        long eofNotClosed = this.transport.bodies().eofNotClosed();
        long leaked = this.transport.bodies().leaked();
        DocumentContext readNoClose = this.http.getJson("/demo/read-no-close", 200);
        assertThat(readNoClose.<Integer>read("$.bytesRead")).isEqualTo(1024);
        assertThat(readNoClose.<String>read("$.demo")).isEqualTo("read-no-close");
        assertThat(readNoClose.<String>read("$.lesson")).contains("EOF");
        DocumentContext next = this.http.getJson("/demo/correct", 200);
        assertThat(next.<Boolean>read("$.connectionReused")).isTrue();
        assertThat(next.<Integer>read("$.connectionId")).isEqualTo(readNoClose.<Integer>read("$.connectionId"));
        OpenBodies.reclaimAll(this.transport);
        assertThat(this.transport.bodies().eofNotClosed()).isEqualTo(eofNotClosed + 1);
        assertThat(this.transport.bodies().leaked()).isEqualTo(leaked);
    }

    @Test
    void earlyCloseDrainsASmallRestAndKeepsTheConnection() throws Exception {
        long drained = this.transport.bodies().earlyCloseDrained();
        DocumentContext json = this.http.getJson("/demo/early-close?path=/upstream/bytes/4096&read=100", 200);
        assertThat(json.<Integer>read("$.bytesRead")).isEqualTo(100);
        assertThat(json.<Boolean>read("$.connectionKept")).isTrue();
        assertThat(this.transport.bodies().earlyCloseDrained()).isEqualTo(drained + 1);
        DocumentContext next = this.http.getJson("/demo/correct", 200);
        assertThat(next.<Integer>read("$.connectionId")).isEqualTo(json.<Integer>read("$.connectionId"));
    }

    @Test
    void earlyCloseDiscardsABigRestAndClosesTheConnection() throws Exception {
        long discarded = this.transport.bodies().earlyCloseDiscarded();
        DocumentContext json = this.http.getJson("/demo/early-close?path=/upstream/bytes/1048576&read=100", 200);
        assertThat(json.<Integer>read("$.bytesRead")).isEqualTo(100);
        assertThat(json.<Boolean>read("$.connectionKept")).isFalse();
        assertThat(this.transport.bodies().earlyCloseDiscarded()).isEqualTo(discarded + 1);
        long connectionId = json.<Integer>read("$.connectionId");
        assertThat(this.transport.pool().route(this.route).orElseThrow().connections())
            .noneMatch((connection) -> connection.id() == connectionId);
    }

    @Test
    @AllowBodyLeaks(reason = "the /demo/leak route drops a response on purpose; this test watches it get reclaimed")
    void leakPinsItsConnectionWithTheOpeningLineUntilAGcReclaimsIt() throws Exception {
        long leaked = this.transport.bodies().leaked();
        long reclaimed = this.transport.pool().closedBy().get(CloseReason.LEAK_RECLAIMED);
        DocumentContext json = this.http.getJson("/demo/leak", 200);
        assertThat(json.<Integer>read("$.bytesRead")).isZero();
        assertThat(json.<Integer>read("$.status")).isEqualTo(200);
        assertThat(json.<String>read("$.lesson")).contains("pins its connection");
        long connectionId = json.<Integer>read("$.connectionId");

        BodiesSnapshot bodies = this.transport.bodies();
        assertThat(bodies.bodies()).singleElement().satisfies((body) -> {
            assertThat(body.openedAt()).matches(OPENED_AT_LINE.formatted("LeakDemo", "LeakDemo"));
            assertThat(body.bytesRead()).isZero();
            assertThat(body.stack()).isNotEmpty();
        });
        RouteSnapshot pool = this.transport.pool().route(this.route).orElseThrow();
        assertThat(pool.connections())
            .anySatisfy((connection) -> {
                assertThat(connection.id()).isEqualTo(connectionId);
                assertThat(connection.state()).isEqualTo("active");
            });

        await("leak suspect after the 3 s threshold").atMost(Duration.ofSeconds(10))
            .until(() -> this.transport.bodies().bodies().stream().anyMatch(BodySnapshot::leakSuspect));

        OpenBodies.reclaimAll(this.transport);
        assertThat(this.transport.bodies().leaked()).isEqualTo(leaked + 1);
        assertThat(this.transport.pool().closedBy().get(CloseReason.LEAK_RECLAIMED)).isEqualTo(reclaimed + 1);
    }

    @Test
    @AllowBodyLeaks(reason = "the /demo/storm route leaks eight bodies on purpose to exhaust the pool")
    void stormsNinthCallFailsWithTheDiagnosticNamingTheLine() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = this.http.get("/demo/storm?n=10");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(503);
        DocumentContext json = com.jayway.jsonpath.JsonPath.parse(response.body());
        assertThat(json.<Map<String, Object>>read("$")).containsKeys("route", "status", "bytesRead",
                "connectionReused", "lesson", "error");
        assertThat(json.<Integer>read("$.status")).isEqualTo(503);
        List<Integer> connectionIds = json.read("$.calls[*].connectionId");
        assertThat(connectionIds).hasSize(8).doesNotHaveDuplicates();
        String error = json.read("$.error");
        assertThat(error).startsWith("call 9: ")
            .contains(this.route)
            .contains("max-conns-per-host is 8")
            .contains("8 active")
            .containsPattern(OPENED_AT_LINE.formatted("StormDemo", "StormDemo"));
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    @AllowBodyLeaks(reason = "the /demo/storm route leaks its bodies on purpose")
    void aStormWithinTheCapSucceeds() throws Exception {
        DocumentContext json = this.http.getJson("/demo/storm?n=3", 200);
        assertThat(json.<List<Object>>read("$.calls")).hasSize(3);
        assertThat(json.<Map<String, Object>>read("$")).doesNotContainKey("error");
        assertThat(this.transport.bodies().open()).isEqualTo(3);
    }

    /**
     * The storm's eight responses are dropped when its call returns, so a caller that then waits at the cap
     * meets one of two correct ends, depending on when the collector runs: the housekeeper's nudge reclaims
     * the dropped bodies and the call goes through (a leak costs a wait, not an outage), or the wait times
     * out with the diagnostic that names the line holding the connections. Either way nothing is lost.
     */
    @Test
    @AllowBodyLeaks(reason = "the /demo/storm and /demo/leak routes drop their responses on purpose")
    void aLeakAtTheCapEndsInAReclaimOrInTheDiagnostic() throws Exception {
        long leaked = this.transport.bodies().leaked();
        this.http.getJson("/demo/storm?n=8", 200);
        HttpResponse<String> response = this.http.get("/demo/leak");
        DocumentContext json = com.jayway.jsonpath.JsonPath.parse(response.body());
        assertThat(json.<String>read("$.demo")).isEqualTo("leak");
        assertThat(json.<String>read("$.route")).isEqualTo(this.route);
        if (response.statusCode() == 200) {
            assertThat(this.transport.bodies().leaked()).as("the storm's dropped bodies were reclaimed")
                .isGreaterThanOrEqualTo(leaked + 1);
            assertThat(this.transport.pool().closedBy().get(CloseReason.LEAK_RECLAIMED)).isPositive();
        }
        else {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json.<String>read("$.error")).contains("max-conns-per-host is 8")
                .containsPattern(OPENED_AT_LINE.formatted("StormDemo", "StormDemo"));
        }
    }

    @Test
    void aPathMustBeAPathNotAUrl() throws Exception {
        HttpResponse<String> response = this.http.get("/demo/correct?path=http://example.com/");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("path must start with");
        assertThat(this.http.get("/demo/storm?n=0").statusCode()).isEqualTo(400);
        assertThat(this.http.get("/demo/early-close?read=-1").statusCode()).isEqualTo(400);
    }

    @Test
    @AllowBodyLeaks(reason = "the /demo/leak route drops a response on purpose for the GC route to find")
    void gcRouteIsADemoAid() throws Exception {
        this.http.getJson("/demo/leak", 200);
        HttpResponse<String> response = this.http.post("/demo/gc");
        assertThat(response.statusCode()).isEqualTo(200);
        DocumentContext json = com.jayway.jsonpath.JsonPath.parse(response.body());
        assertThat(json.<Integer>read("$.openBodiesBefore")).isEqualTo(1);
        assertThat(json.<String>read("$.lesson")).startsWith("Demo aid");
    }

}
