package dev.keepalive.benchmarks;

/**
 * The figures of one measurement window: one contender, one scenario, one round. A figure that a
 * contender cannot report is {@link Double#NaN}.
 *
 * @param contender the client's label
 * @param scenario the scenario's label
 * @param round the round number, from 1
 * @param requests requests completed inside the window
 * @param errors requests that failed or returned an unexpected status or length
 * @param requestsPerSecond completed requests per second of window
 * @param cpuMicrosPerRequest client process CPU time (user + system) per request, in microseconds
 * @param p50Micros median latency in microseconds
 * @param p99Micros 99th percentile latency in microseconds
 * @param connectionsPer10k connections the server accepted per 10 000 requests
 * @param allocatedBytesPerRequest heap bytes allocated by the client JVM per request
 */
public record Measurement(String contender, String scenario, int round, long requests, long errors,
        double requestsPerSecond, double cpuMicrosPerRequest, double p50Micros, double p99Micros,
        double connectionsPer10k, double allocatedBytesPerRequest) {
}
