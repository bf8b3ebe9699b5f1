package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Writes the run's SVG charts: throughput and CPU per request by scenario, and the leak-tracking cost. */
public final class Charts {

    private Charts() {
    }

    /** Writes {@code throughput.svg}, {@code cpu-per-request.svg} and, when measured, {@code leak-tracking.svg}. */
    public static void write(Path dir, List<Summary> main, List<Summary> tracking) throws IOException {
        List<String> scenarios = main.stream().map(Summary::scenario).distinct().toList();
        List<String> contenders = main.stream().map(Summary::contender).distinct().toList();
        new SvgBarChart("Requests per second (median), RestClient on each request factory vs wrk", "requests/s")
                .write(dir.resolve("throughput.svg"), scenarios, contenders,
                        table(main, contenders, scenarios, Summary::requestsPerSecond));
        new SvgBarChart("Client CPU time per request (median, lower is better)", "microseconds")
                .write(dir.resolve("cpu-per-request.svg"), scenarios, contenders,
                        table(main, contenders, scenarios, Summary::cpuMicrosPerRequest));
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
