package dev.keepalive.sample;

import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

import dev.keepalive.test.AllowBodyLeaks;
import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Design §11: every metric that the alerting rules ({@code ops/prometheus/keepalive-alerts.yml}) and the
 * dashboard ({@code ops/grafana/keepalive-dashboard.json}) query is one the running sample really exports on
 * {@code /actuator/prometheus}, after each demo ran. The names come from parsing the two files.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpsMetricNamesTests {

    @LocalServerPort
    private int port;

    @Autowired
    private KeepAliveTransport transport;

    @Test
    @AllowBodyLeaks(reason = "the leak and storm demos drop responses on purpose, so that every meter has a value")
    void everyMetricTheRulesAndTheDashboardQueryIsExported() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String expression : OpsFiles.ruleExpressions(OpsFiles.alertRules())) {
            used.addAll(OpsFiles.metricNames(expression));
        }
        Set<String> byRules = new TreeSet<>(used);
        for (String expression : OpsFiles.dashboardExpressions(OpsFiles.dashboard())) {
            used.addAll(OpsFiles.metricNames(expression));
        }
        assertThat(byRules).as("metrics the rules use").contains("keepalive_bodies_closed_total");
        assertThat(used).as("metrics the rules and the dashboard use").hasSizeGreaterThanOrEqualTo(10);

        SampleHttp http = new SampleHttp(this.port);
        OpenBodies.reclaimAll(this.transport);
        http.getJson("/demo/correct", 200);
        http.getJson("/demo/read-no-close", 200);
        http.getJson("/demo/early-close?path=/upstream/bytes/1048576&read=100", 200);
        http.getJson("/demo/leak", 200);
        assertThat(http.get("/demo/storm?n=10").statusCode()).isEqualTo(503);
        http.post("/demo/gc");
        OpenBodies.reclaimAll(this.transport);

        HttpResponse<String> scrape = http.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> exported = OpsFiles.exportedNames(scrape.body());
        assertThat(exported).as("metrics /actuator/prometheus exports").containsAll(used);
    }

    @Test
    void theExpressionParserFindsMetricsAndSkipsFunctionsLabelsAndVariables() {
        assertThat(OpsFiles.metricNames("sum by (job, route) (rate(a_total{outcome!=\"x y\", route=~\"$route\"}"
                + "[$__rate_interval])) / on (route) group_left sum(b_seconds_count offset 5m) > 0.2 and c > 1"))
            .containsExactly("a_total", "b_seconds_count", "c");
        assertThat(OpsFiles.metricNames("label_values(keepalive_connections{instance=~\"$instance\"}, route)"))
            .containsExactly("keepalive_connections");
        assertThat(OpsFiles.exportedNames("# HELP x\n# TYPE x gauge\nx{a=\"b\"} 1.0\ny 2\n")).containsExactly("x",
                "y");
    }

}
