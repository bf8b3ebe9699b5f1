package dev.keepalive.benchmarks;

/**
 * One load shape: a file on the local server fetched by a fixed number of concurrent callers.
 *
 * @param name short label used in tables, CSV and charts, e.g. {@code c16-100B}
 * @param path the request path on the server
 * @param bodyBytes the exact body length every response must have
 * @param concurrency how many callers (threads, or wrk connections) run at once
 */
public record Scenario(String name, String path, int bodyBytes, int concurrency) {

    /** Path of the ~100-byte file that {@code run.sh} writes. */
    public static final String SMALL_PATH = "/small.txt";

    /** Size of the small file. */
    public static final int SMALL_BYTES = 100;

    /** Path of the 64 KiB file that {@code run.sh} writes. */
    public static final String LARGE_PATH = "/large.bin";

    /** Size of the large file. */
    public static final int LARGE_BYTES = 64 * 1024;

    /** The small file at {@code concurrency}. */
    public static Scenario small(int concurrency) {
        return new Scenario("c" + concurrency + "-100B", SMALL_PATH, SMALL_BYTES, concurrency);
    }

    /** The 64 KiB file at {@code concurrency}. */
    public static Scenario large(int concurrency) {
        return new Scenario("c" + concurrency + "-64KiB", LARGE_PATH, LARGE_BYTES, concurrency);
    }
}
