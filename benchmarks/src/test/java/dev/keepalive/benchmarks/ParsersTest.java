package dev.keepalive.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness reads nginx's and wrk's text; these pin the formats it understands. */
class ParsersTest {

    @Test
    void readsAcceptsFromStubStatus() {
        String page = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                + "Active connections: 3 \nserver accepts handled requests\n 1234 1234 98765 \n"
                + "Reading: 0 Writing: 1 Waiting: 2 \n";
        assertThat(ServerConnections.parseAccepts(page)).isEqualTo(1234);
    }

    @Test
    void readsWrkReportAndShellTimes() {
        String output = """
                Running 7s test @ http://127.0.0.1:40000/small.txt
                  1 threads and 16 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency   402.11us  310.20us   9.12ms   93.40%
                    Req/Sec    40.10k     1.20k   42.00k    71.43%
                  Latency Distribution
                     50%  322.00us
                     75%  410.00us
                     90%  600.00us
                     99%    1.50ms
                  280000 requests in 7.00s, 80.00MB read
                  Non-2xx or 3xx responses: 2
                Requests/sec:  40000.00
                Transfer/sec:     11.43MB
                0m0.002s 0m0.001s
                0m1.120s 0m1.680s
                """;
        Measurement m = new WrkContender("wrk", "http://127.0.0.1:40000", null)
                .parse(output, Scenario.small(16), 2, 16);
        assertThat(m.requests()).isEqualTo(280_000);
        assertThat(m.requestsPerSecond()).isEqualTo(40_000.0);
        assertThat(m.p50Micros()).isEqualTo(322.0);
        assertThat(m.p99Micros()).isEqualTo(1500.0);
        assertThat(m.cpuMicrosPerRequest()).isCloseTo(2.8e6 / 280_000, within(1e-9));
        assertThat(m.connectionsPer10k()).isCloseTo(16 * 10_000.0 / 280_000, within(1e-9));
        assertThat(m.errors()).isEqualTo(2);
        assertThat(m.allocatedBytesPerRequest()).isNaN();
    }

    @Test
    void percentilesOverAllCallers() {
        LatencySamples a = new LatencySamples(100);
        LatencySamples b = new LatencySamples(100);
        for (int i = 1; i <= 50; i++) {
            a.record(i * 1000L);
            b.record((50 + i) * 1000L);
        }
        double[] p = LatencySamples.percentileMicros(List.of(a, b), 50, 99);
        assertThat(p).containsExactly(50.0, 99.0);
        assertThat(LatencySamples.percentileMicros(List.of(), 50)[0]).isNaN();
    }

    @Test
    void mediansSkipMissingFigures() {
        List<Measurement> rounds = List.of(measurement(1, 30, Double.NaN), measurement(2, 10, 5),
                measurement(3, 20, 7));
        Summary s = Summary.of(rounds).get(0);
        assertThat(s.requestsPerSecond()).isEqualTo(20);
        assertThat(s.allocatedBytesPerRequest()).isEqualTo(6);
        assertThat(s.rounds()).isEqualTo(3);
    }

    @Test
    void chartAxisEndsOnRoundValues() {
        assertThat(SvgBarChart.niceCeiling(37_200)).isEqualTo(50_000);
        assertThat(SvgBarChart.niceCeiling(18)).isEqualTo(20);
        assertThat(SvgBarChart.niceCeiling(0)).isEqualTo(1);
    }

    @Test
    void oneTowerDoesNotFlattenTheOtherBars() {
        assertThat(SvgBarChart.axisTop(new double[][] { { 20, 30 }, { 400, 350 }, { 120, 90 } })).isEqualTo(200);
        assertThat(SvgBarChart.axisTop(new double[][] { { 60, 30 }, { 100, 90 } })).isEqualTo(100);
    }

    @Test
    void summaryCsvReadsBack(@TempDir Path dir) throws Exception {
        Summary written = new Summary("apache-tuned", "c16-100B", 3, 0, 45711.5, 22.25, 334, 750, Double.NaN, 9177);
        CsvReport.writeSummary(dir.resolve("summary.csv"), List.of(written));
        assertThat(CsvReport.readSummary(dir.resolve("summary.csv"))).containsExactly(written);
    }

    @Test
    void quickModeIsShortAndSingleRound() {
        BenchmarkOptions quick = BenchmarkOptions.parse(new String[] { "--base-url", "http://127.0.0.1:1", "--quick" });
        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(quick.timing().window().toMillis()).isLessThanOrEqualTo(2000);
        BenchmarkOptions full = BenchmarkOptions.parse(new String[] { "--base-url", "http://127.0.0.1:1" });
        assertThat(full.rounds()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void fullRunHasTheLargeBodyAndGzipScenariosAndOnlyDecodingClientsRunGzip() {
        BenchmarkOptions full = BenchmarkOptions.parse(new String[] { "--base-url", "http://127.0.0.1:1" });
        assertThat(BenchmarkMain.scenarios(full)).extracting(Scenario::name)
                .contains("c4-1MiB", "c16-64KiB-gzip").doesNotContain("c256-100B-vt");
        Scenario gzip = Scenario.gzipJson(16);
        Contender wrk = new WrkContender("/usr/bin/wrk", "http://127.0.0.1:1", null);
        assertThat(wrk.canRun(gzip)).isFalse();
        assertThat(wrk.canRun(Scenario.smallVirtual(64))).isFalse();
        assertThat(new RestClientContender("jdk", () -> null, null, null, false).canRun(gzip)).isFalse();
        assertThat(new RestClientContender("keepalive", () -> null, null, null, true).canRun(gzip)).isTrue();
    }

    @Test
    void scenariosPicksByNameFromTheFullListEvenInQuickModeAndRefusesAnUnknownName() {
        BenchmarkOptions gzipOnly = BenchmarkOptions.parse(new String[] { "--base-url", "http://127.0.0.1:1", "--quick",
                "--scenarios", "c16-64KiB-gzip" });
        assertThat(BenchmarkMain.scenarios(gzipOnly)).extracting(Scenario::name).containsExactly("c16-64KiB-gzip");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchmarkOptions.parse(new String[] {
                "--base-url", "http://127.0.0.1:1", "--scenarios", "c16-64k-gzip" }))
                .withMessageContaining("c16-64k-gzip").withMessageContaining("c16-64KiB-gzip");
    }

    @Test
    void virtualThreadSetComparesPlatformC64WithVirtualC64AndC256() {
        assumeTrue(CallerThreads.virtualAvailable(), "needs JDK 21+");
        BenchmarkOptions vt = BenchmarkOptions.parse(new String[] { "--base-url", "http://127.0.0.1:1",
                "--virtual-threads" });
        assertThat(BenchmarkMain.scenarios(vt)).extracting(Scenario::name)
                .containsExactly("c64-100B-pt", "c64-100B-vt", "c256-100B-vt");
    }

    @Test
    void virtualThreadSetIsRefusedWithoutVirtualThreads() {
        assumeFalse(CallerThreads.virtualAvailable(), "runs on JDK 17-20");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchmarkOptions.parse(new String[] {
                "--base-url", "http://127.0.0.1:1", "--virtual-threads" })).withMessageContaining("JDK 21");
    }

    @Test
    void roundsCsvReadsBack(@TempDir Path dir) throws Exception {
        Measurement written = new Measurement("wrk -t1", "c64-100B-pt", 2, 1234, 0, 45711.5, 22.25, 334, 750,
                Double.NaN, Double.NaN);
        CsvReport.writeRounds(dir.resolve("rounds.csv"), List.of(written));
        assertThat(CsvReport.readRounds(dir.resolve("rounds.csv"))).containsExactly(written);
    }

    @Test
    void virtualSetMergesIntoTheFullRunOnceHoweverOftenItIsMerged(@TempDir Path dir) throws Exception {
        Path main = dir.resolve("results");
        Path virtual = main.resolve("virtual");
        Files.createDirectories(virtual);
        CsvReport.writeSummary(main.resolve("summary.csv"), List.of(summary("keepalive", "c16-100B", 40000, 20),
                summary("apache-tuned", "c16-100B", 20000, 40), summary("keepalive tracking=off", "c16-100B", 41000, 19)));
        CsvReport.writeRounds(main.resolve("rounds.csv"), List.of(new Measurement("keepalive", "c16-100B", 1, 9, 0, 40000,
                20, 1, 2, 0, 5000)));
        Files.writeString(main.resolve("summary.txt"), "main table\n");
        CsvReport.writeSummary(virtual.resolve("summary.csv"), List.of(summary("keepalive", "c64-100B-pt", 30000, 25),
                summary("keepalive", "c256-100B-vt", 32000, 24), summary("apache-tuned", "c256-100B-vt", 16000, 40)));
        CsvReport.writeRounds(virtual.resolve("rounds.csv"), List.of(new Measurement("keepalive", "c256-100B-vt", 1, 9,
                0, 32000, 24, 1, 2, 0, 5000)));
        Files.writeString(virtual.resolve("summary.txt"), "virtual table\n");
        Files.writeString(virtual.resolve("pinning.txt"), "jdk.VirtualThreadPinned events: 0 in all\n");

        VirtualSetMerge.merge(main, virtual);
        VirtualSetMerge.merge(main, virtual);

        assertThat(CsvReport.readSummary(main.resolve("summary.csv"))).extracting((s) -> s.contender() + " " + s.scenario())
                .containsExactly("keepalive c16-100B", "apache-tuned c16-100B", "keepalive tracking=off c16-100B",
                        "keepalive c64-100B-pt", "keepalive c256-100B-vt", "apache-tuned c256-100B-vt");
        assertThat(CsvReport.readRounds(main.resolve("rounds.csv"))).extracting(Measurement::scenario)
                .containsExactly("c16-100B", "c256-100B-vt");
        String text = Files.readString(main.resolve("summary.txt"));
        assertThat(text).startsWith("main table\n").contains("virtual table", "VirtualThreadPinned events: 0");
        assertThat(text.indexOf(VirtualSetMerge.HEADING)).isEqualTo(text.lastIndexOf(VirtualSetMerge.HEADING));
        String chart = Files.readString(main.resolve("virtual-threads.svg"));
        assertThat(chart).contains("c256-100B-vt", "keepalive", "apache-tuned").doesNotContain("c16-100B<");
        assertThat(main.resolve("leak-tracking.svg")).exists();
        // keepalive's CPU per request at c256 on virtual threads is 24/40 of apache-tuned's there.
        assertThat(Files.readString(main.resolve("cpu-per-request-ratio.svg")))
                .contains("<title>keepalive c256-100B-vt: 0.60</title>", "<title>apache-tuned c16-100B: 1</title>");
    }

    @Test
    void headlineTableSetsKeepaliveBesideTunedApacheAndTheFastestOtherClient() {
        String md = HeadlineTable.markdown(List.of(summary("keepalive", "c16-100B", 40000, 20),
                summary("apache-tuned", "c16-100B", 20000, 40), summary("jetty", "c16-100B", 30000, 90),
                summary("wrk -t1", "c16-100B", 90000, 10), summary("keepalive tracking=off", "c16-100B", 41000, 19),
                summary("keepalive tracking=always", "c16-100B", 40000, 19.5)), "Run: test.");
        assertThat(md).contains("| c16-100B | 40000 | 2.00 | jetty, 30000 | 20.0 | 0.50 | 10.0 | 5000 | 1.00 | 100 / 100 | 0.0 |",
                "| tracking=always | 19.5 | 1.03 | 5000 | +0 |").endsWith("\nRun: test.\n");
    }

    @Test
    void headlineGoesBetweenTheReadmeMarkersOnly() {
        String readme = "intro\n" + HeadlineTable.START + " generated -->\nold table\n" + HeadlineTable.END + "\nafter\n";
        assertThat(HeadlineTable.splice(readme, "| new |\n")).isEqualTo("intro\n" + HeadlineTable.START
                + " generated -->\n| new |\n" + HeadlineTable.END + "\nafter\n");
        assertThatIllegalArgumentException().isThrownBy(() -> HeadlineTable.splice("no markers", "x"))
                .withMessageContaining("markers");
    }

    private static Summary summary(String contender, String scenario, double rate, double cpu) {
        return new Summary(contender, scenario, 1, 0, rate, cpu, 100, 200, 0, 5000);
    }

    private static Measurement measurement(int round, double rate, double alloc) {
        return new Measurement("c", "s", round, 100, 0, rate, 1, 1, 1, 0, alloc);
    }
}
