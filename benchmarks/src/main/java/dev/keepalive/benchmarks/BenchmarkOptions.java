package dev.keepalive.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The command line of {@link BenchmarkMain}.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:8080}
 * @param statusPath the nginx stub_status path
 * @param wrk the wrk executable, or {@code null} to leave the ceiling out
 * @param outDir where the table, CSV files and charts go
 * @param quick the short CI mode
 * @param rounds how many alternating rounds
 * @param timing warm-up, window and request cap of every measurement
 * @param clients contender labels to run (empty = all)
 * @param scenarios scenario names to run, from the full run's list (empty = the mode's own list)
 * @param virtualSet run the virtual-thread scenarios (c64 on platform threads, c64 and c256 on virtual
 *        threads) instead of the standard ones; needs JDK 21 or later
 */
public record BenchmarkOptions(String baseUrl, String statusPath, String wrk, Path outDir, boolean quick, int rounds,
        Timing timing, List<String> clients, List<String> scenarios, boolean virtualSet) {

    /** Most requests a window may carry. */
    static final long MAX_REQUESTS_PER_WINDOW = 2_000_000;

    /** Usage text. */
    static final String USAGE = """
            usage: BenchmarkMain --base-url http://127.0.0.1:PORT [--status-path /nginx_status] [--wrk /usr/bin/wrk]
                                 [--out benchmarks/results] [--quick] [--rounds N] [--warm-up SECONDS]
                                 [--window SECONDS] [--clients name,name,...] [--scenarios name,name,...]
                                 [--virtual-threads]""";

    /** Parses the arguments; full mode is 3 rounds of 2 s warm-up + 7 s windows, quick 1 round of 0.5 + 1 s. */
    public static BenchmarkOptions parse(String[] args) {
        String baseUrl = null;
        String statusPath = "/nginx_status";
        String wrk = null;
        Path out = Path.of("benchmarks", "results");
        boolean quick = false;
        Integer rounds = null;
        Double warmUp = null;
        Double window = null;
        List<String> clients = List.of();
        List<String> scenarios = List.of();
        boolean virtualSet = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--base-url" -> baseUrl = value(args, ++i, arg);
                case "--status-path" -> statusPath = value(args, ++i, arg);
                case "--wrk" -> wrk = value(args, ++i, arg);
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--rounds" -> rounds = Integer.valueOf(value(args, ++i, arg));
                case "--warm-up" -> warmUp = Double.valueOf(value(args, ++i, arg));
                case "--window" -> window = Double.valueOf(value(args, ++i, arg));
                case "--clients" -> clients = List.of(value(args, ++i, arg).split(","));
                case "--scenarios" -> scenarios = List.of(value(args, ++i, arg).split(","));
                case "--virtual-threads" -> virtualSet = true;
                default -> throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
            }
        }
        if (baseUrl == null) {
            throw new IllegalArgumentException("--base-url is required\n" + USAGE);
        }
        Timing timing = new Timing(seconds(warmUp != null ? warmUp : (quick ? 0.5 : 2)),
                seconds(window != null ? window : (quick ? 1 : 7)), MAX_REQUESTS_PER_WINDOW);
        int n = rounds != null ? rounds : (quick ? 1 : 3);
        if (n < 1 || timing.window().isZero() || timing.window().isNegative() || timing.warmUp().isNegative()) {
            throw new IllegalArgumentException("rounds, window and warm-up must be positive\n" + USAGE);
        }
        if (virtualSet && !CallerThreads.virtualAvailable()) {
            throw new IllegalArgumentException("--virtual-threads needs JDK 21 or later; this is " + Runtime.version());
        }
        BenchmarkOptions options = new BenchmarkOptions(baseUrl, statusPath, wrk, out, quick, n, timing, clients,
                scenarios, virtualSet);
        BenchmarkMain.scenarios(options); // an unknown scenario name is refused here, before any server is touched
        return options;
    }

    private static String value(String[] args, int index, String name) {
        if (index >= args.length) {
            throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
        }
        return args[index];
    }

    private static Duration seconds(double value) {
        return Duration.ofMillis(Math.round(value * 1000));
    }
}
