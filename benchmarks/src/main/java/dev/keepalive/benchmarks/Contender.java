package dev.keepalive.benchmarks;

/** A client under test: something that can put one scenario's load on the server and measure it. */
public interface Contender {

    /** The label used in tables, CSV and charts. */
    String name();

    /**
     * Runs one warm-up and one measurement window of {@code scenario} and returns its figures.
     *
     * @param scenario what to fetch and how many callers at once
     * @param timing how long to warm up and to measure, and the request cap
     * @param round the round number, copied into the result
     * @throws Exception when the client cannot be started or measured at all
     */
    Measurement measure(Scenario scenario, Timing timing, int round) throws Exception;

    /**
     * Whether this contender takes part in {@code scenario}: by default not when the callers are virtual
     * threads (a process such as wrk has none) nor when the body is compressed (a client that does not
     * decode gzip would read a different length).
     */
    default boolean canRun(Scenario scenario) {
        return !scenario.virtualThreads() && !scenario.gzip();
    }
}
