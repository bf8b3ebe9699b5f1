package dev.keepalive.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The median of each figure over the rounds of one contender and one scenario. Each figure's median is
 * taken on its own; {@code NaN} values (figures a contender cannot report) are left out.
 *
 * @param contender the client's label
 * @param scenario the scenario's label
 * @param rounds how many rounds were measured
 * @param errors failed requests over all rounds
 * @param requestsPerSecond median requests per second
 * @param cpuMicrosPerRequest median client CPU microseconds per request
 * @param p50Micros median of the rounds' median latencies
 * @param p99Micros median of the rounds' 99th percentile latencies
 * @param connectionsPer10k median connections opened per 10 000 requests
 * @param allocatedBytesPerRequest median bytes allocated per request
 */
public record Summary(String contender, String scenario, int rounds, long errors, double requestsPerSecond,
        double cpuMicrosPerRequest, double p50Micros, double p99Micros, double connectionsPer10k,
        double allocatedBytesPerRequest) {

    /** One summary per contender and scenario present in {@code all}, in the order of first appearance. */
    public static List<Summary> of(List<Measurement> all) {
        List<Summary> result = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Measurement m : all) {
            String key = m.contender() + "\n" + m.scenario();
            if (seen.contains(key)) {
                continue;
            }
            seen.add(key);
            List<Measurement> group = all.stream()
                    .filter((x) -> x.contender().equals(m.contender()) && x.scenario().equals(m.scenario()))
                    .toList();
            result.add(new Summary(m.contender(), m.scenario(), group.size(),
                    group.stream().mapToLong(Measurement::errors).sum(),
                    median(group, Measurement::requestsPerSecond), median(group, Measurement::cpuMicrosPerRequest),
                    median(group, Measurement::p50Micros), median(group, Measurement::p99Micros),
                    median(group, Measurement::connectionsPer10k),
                    median(group, Measurement::allocatedBytesPerRequest)));
        }
        return result;
    }

    static double median(List<Measurement> group, ToDoubleFunction<Measurement> figure) {
        double[] values = group.stream().mapToDouble(figure).filter((v) -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return (values.length % 2 == 1) ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** This summary's entry in {@code list} for the same scenario and {@code contender}, if measured. */
    public static Summary find(List<Summary> list, String contender, String scenario) {
        return list.stream()
                .filter((s) -> s.contender().equals(contender) && s.scenario().equals(scenario))
                .findFirst()
                .orElse(null);
    }
}
