package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Writes the run's SVG charts: throughput and CPU per request by scenario, the same two as ratios to
 * {@link BenchmarkMain#REFERENCE} (readable across scenarios whose figures differ a hundredfold), the
 * virtual-thread set on its own, and the leak-tracking cost.
 */
public final class Charts {

    private Charts() {
    }

    /** Writes every chart that {@code all} (main, virtual-thread and tracking rows) has figures for. */
    public static void write(Path dir, List<Summary> all) throws IOException {
        List<Summary> main = new ArrayList<>();
        List<Summary> tracking = new ArrayList<>();
        for (Summary s : all) {
            (s.contender().startsWith(ContenderSet.TRACKING_PREFIX) ? tracking : main).add(s);
        }
        write(dir, main, tracking);
    }

    /**
     * Writes {@code throughput.svg}, {@code cpu-per-request.svg}, {@code throughput-ratio.svg},
     * {@code cpu-per-request-ratio.svg} and, when measured, {@code virtual-threads.svg} and
     * {@code leak-tracking.svg}.
     */
    public static void write(Path dir, List<Summary> main, List<Summary> tracking) throws IOException {
        List<String> scenarios = main.stream().map(Summary::scenario).distinct().toList();
        List<String> contenders = main.stream().map(Summary::contender).distinct().toList();
        new SvgBarChart("Requests per second (median), RestClient on each request factory vs wrk", "requests/s")
                .write(dir.resolve("throughput.svg"), scenarios, contenders,
                        table(main, contenders, scenarios, Summary::requestsPerSecond));
        new SvgBarChart("Client CPU time per request (median, lower is better)", "microseconds")
                .write(dir.resolve("cpu-per-request.svg"), scenarios, contenders,
                        table(main, contenders, scenarios, Summary::cpuMicrosPerRequest));
        new SvgBarChart("Requests per second as a ratio to " + BenchmarkMain.REFERENCE + " in each scenario (higher"
                + " is better)", "x " + BenchmarkMain.REFERENCE).write(dir.resolve("throughput-ratio.svg"), scenarios,
                        contenders, ratios(main, contenders, scenarios, Summary::requestsPerSecond));
        new SvgBarChart("Client CPU per request as a ratio to " + BenchmarkMain.REFERENCE + " in each scenario"
                + " (lower is better)", "x " + BenchmarkMain.REFERENCE).write(dir.resolve("cpu-per-request-ratio.svg"),
                        scenarios, contenders, ratios(main, contenders, scenarios, Summary::cpuMicrosPerRequest));
        List<String> virtual = BenchmarkMain.virtualScenarios().stream().map(Scenario::name)
                .filter(scenarios::contains).toList();
        if (!virtual.isEmpty()) {
            List<String> present = contenders.stream()
                    .filter((c) -> virtual.stream().anyMatch((s) -> Summary.find(main, c, s) != null)).toList();
            new SvgBarChart("Virtual threads: requests per second (median), c64 on platform threads (-pt) vs c64 and"
                    + " c256 on virtual threads (-vt), same JDK", "requests/s").write(dir.resolve("virtual-threads.svg"),
                            virtual, present, table(main, present, virtual, Summary::requestsPerSecond));
        }
        if (!tracking.isEmpty()) {
            writeTracking(dir.resolve("leak-tracking.svg"), tracking);
        }
    }

    /** Each capture-stack variant's req/s, CPU and allocation per request as a ratio to the first variant. */
    private static void writeTracking(Path file, List<Summary> tracking) throws IOException {
        List<String> variants = tracking.stream().map(Summary::contender).distinct().toList();
        List<String> figures = List.of("req/s", "cpu us/req", "alloc B/req");
        Summary base = tracking.get(0);
        double[][] values = new double[variants.size()][];
        for (int v = 0; v < variants.size(); v++) {
            String variant = variants.get(v);
            Summary s = tracking.stream().filter((x) -> x.contender().equals(variant)).findFirst().get();
            values[v] = new double[] { s.requestsPerSecond() / base.requestsPerSecond(),
                    s.cpuMicrosPerRequest() / base.cpuMicrosPerRequest(),
                    s.allocatedBytesPerRequest() / base.allocatedBytesPerRequest() };
        }
        new SvgBarChart("keepalive leak tracking by capture-stack, c16-100B, medians as ratio to "
                + base.contender(), "ratio").write(file, figures, variants, values);
    }

    /** Each figure divided by the reference contender's in the same scenario; NaN where either is missing. */
    private static double[][] ratios(List<Summary> summaries, List<String> contenders, List<String> scenarios,
            ToDoubleFunction<Summary> figure) {
        double[][] values = table(summaries, contenders, scenarios, figure);
        for (int s = 0; s < scenarios.size(); s++) {
            Summary ref = Summary.find(summaries, BenchmarkMain.REFERENCE, scenarios.get(s));
            double base = ref == null ? Double.NaN : figure.applyAsDouble(ref);
            for (double[] row : values) {
                row[s] = base > 0 ? row[s] / base : Double.NaN;
            }
        }
        return values;
    }

    private static double[][] table(List<Summary> summaries, List<String> contenders, List<String> scenarios,
            ToDoubleFunction<Summary> figure) {
        double[][] values = new double[contenders.size()][scenarios.size()];
        for (int c = 0; c < contenders.size(); c++) {
            for (int s = 0; s < scenarios.size(); s++) {
                Summary found = Summary.find(summaries, contenders.get(c), scenarios.get(s));
                values[c][s] = found == null ? Double.NaN : figure.applyAsDouble(found);
            }
        }
        return values;
    }
}
