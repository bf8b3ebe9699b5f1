package dev.keepalive.benchmarks;

/**
 * One load shape: a file on the local server fetched by a fixed number of concurrent callers.
 *
 * @param name short label used in tables, CSV and charts, e.g. {@code c16-100B}, {@code c64-100B-pt} (platform
 *        threads in the virtual-thread set) or {@code c256-100B-vt}
 * @param path the request path on the server
 * @param bodyBytes the exact (decoded) body length every response must have
 * @param concurrency how many callers (threads, or wrk connections) run at once
 * @param gzip the server compresses the body with gzip; only clients that decode it take part
 * @param virtualThreads the callers are virtual threads (JDK 21 or later)
 */
public record Scenario(String name, String path, int bodyBytes, int concurrency, boolean gzip,
        boolean virtualThreads) {

    /** Path of the ~100-byte file that {@code run.sh} writes. */
    public static final String SMALL_PATH = "/small.txt";

    /** Size of the small file. */
    public static final int SMALL_BYTES = 100;

    /** Path of the 64 KiB file that {@code run.sh} writes. */
    public static final String LARGE_PATH = "/large.bin";

    /** Size of the large file. */
    public static final int LARGE_BYTES = 64 * 1024;

    /** Path of the 1 MiB file that {@code run.sh} writes. */
    public static final String HUGE_PATH = "/huge.bin";

    /** Size of the 1 MiB file. */
    public static final int HUGE_BYTES = 1024 * 1024;

    /** Path of the 64 KiB JSON document that {@code run.sh} writes and nginx serves gzip-compressed. */
    public static final String GZIP_JSON_PATH = "/gz/data.json";

    /** Decoded size of the JSON document. */
    public static final int GZIP_JSON_BYTES = 64 * 1024;

    /** The small file at {@code concurrency}. */
    public static Scenario small(int concurrency) {
        return new Scenario("c" + concurrency + "-100B", SMALL_PATH, SMALL_BYTES, concurrency, false, false);
    }

    /** The 64 KiB file at {@code concurrency}. */
    public static Scenario large(int concurrency) {
        return new Scenario("c" + concurrency + "-64KiB", LARGE_PATH, LARGE_BYTES, concurrency, false, false);
    }

    /** The 1 MiB file at {@code concurrency}. */
    public static Scenario huge(int concurrency) {
        return new Scenario("c" + concurrency + "-1MiB", HUGE_PATH, HUGE_BYTES, concurrency, false, false);
    }

    /** 64 KiB of JSON compressed by nginx, decoded by the client, at {@code concurrency}. */
    public static Scenario gzipJson(int concurrency) {
        return new Scenario("c" + concurrency + "-64KiB-gzip", GZIP_JSON_PATH, GZIP_JSON_BYTES, concurrency, true,
                false);
    }

    /**
     * The small file at {@code concurrency} on platform threads, in the virtual-thread set: the baseline that the
     * virtual-thread scenarios are compared with on the same JDK, named apart from the main run's {@code c64-100B}
     * (which runs on the default JDK) so that both can sit in one CSV file.
     */
    public static Scenario smallPlatform(int concurrency) {
        return new Scenario("c" + concurrency + "-100B-pt", SMALL_PATH, SMALL_BYTES, concurrency, false, false);
    }

    /** The small file at {@code concurrency}, fetched by virtual threads. */
    public static Scenario smallVirtual(int concurrency) {
        return new Scenario("c" + concurrency + "-100B-vt", SMALL_PATH, SMALL_BYTES, concurrency, false, true);
    }
}
