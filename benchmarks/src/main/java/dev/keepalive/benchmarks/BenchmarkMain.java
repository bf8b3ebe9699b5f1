package dev.keepalive.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warms the JVM up with every client, then runs every contender against the local server in alternating rounds (round 1: every scenario through
 * every contender, then round 2, ...), then prints the medians as a table and writes them, with every
 * round, as CSV files and SVG charts. Exits with 1 when any window failed or had errors.
 *
 * <p>Started by {@code benchmarks/run.sh}, which also starts and stops the server. {@code --replot DIR}
 * only redraws the charts and headline of a results folder from its {@code summary.csv}; {@code --merge-virtual DIR VDIR}
 * folds the virtual-thread set's folder into the full run's ({@link VirtualSetMerge}); {@code --readme DIR
 * README.md} puts the folder's {@code headline.md} into the README ({@link HeadlineTable}).
 */
public final class BenchmarkMain {

    /** The contender that the table's ratio columns divide by. */
    static final String REFERENCE = "apache-tuned";

    private BenchmarkMain() {
    }

    /** Entry point; see {@link BenchmarkOptions#USAGE}. */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--replot")) {
            replot(Path.of(args[1]));
            return;
        }
        if (args.length == 3 && args[0].equals("--merge-virtual")) {
            VirtualSetMerge.merge(Path.of(args[1]), Path.of(args[2]));
            return;
        }
        if (args.length == 3 && args[0].equals("--readme")) {
            Path readme = Path.of(args[2]);
            Files.writeString(readme, HeadlineTable.splice(Files.readString(readme),
                    Files.readString(Path.of(args[1]).resolve("headline.md"))));
            return;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options) ? 0 : 1);
    }

    /** Redraws the charts and {@code headline.md} of a results folder from its {@code summary.csv}, without measuring. */
    static void replot(Path dir) throws IOException {
        List<Summary> summaries = CsvReport.readSummary(dir.resolve("summary.csv"));
        Charts.write(dir, summaries);
        writeHeadline(dir, summaries);
    }

    static boolean run(BenchmarkOptions options) throws IOException {
        URI base = URI.create(options.baseUrl());
        ServerConnections server = new ServerConnections(base.getHost(), base.getPort(), options.statusPath());
        LoadDriver driver = new LoadDriver(new ProcessCpu(), new HeapAllocations(), server);
        ContenderSet set = ContenderSet.create(options, driver, base, server);
        List<Scenario> scenarios = scenarios(options);
        Scenario trackingScenario = Scenario.small(16);

        System.out.printf(Locale.ROOT, "keepalive benchmarks, %s mode, %d round(s), warm-up %s, window %s, JDK %s, %d CPUs%n",
                options.quick() ? "quick" : "full", options.rounds(), options.timing().warmUp(),
                options.timing().window(), Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println(set.note());

        String loadBefore = loadAverage();
        prewarm(set, options.timing(), options.virtualSet() ? Scenario.smallVirtual(16) : Scenario.small(16));
        List<Measurement> main = new ArrayList<>();
        List<Measurement> tracking = new ArrayList<>();
        boolean ok = true;
        for (int round = 1; round <= options.rounds(); round++) {
            for (Scenario scenario : scenarios) {
                for (Contender c : set.main()) {
                    if (c.canRun(scenario)) {
                        ok &= measure(c, scenario, options.timing(), round, main);
                    }
                }
            }
            for (Contender c : options.virtualSet() ? List.<Contender>of() : set.tracking()) {
                ok &= measure(c, trackingScenario, options.timing(), round, tracking);
            }
        }

        List<Summary> mainSummary = Summary.of(main);
        List<Summary> trackingSummary = Summary.of(tracking);
        String load = "machine load average (1/5/15 min) at start " + loadBefore + ", at end " + loadAverage()
                + "; other processes on the machine share its CPUs with the client and nginx";
        String report = report(options, set, load, mainSummary, trackingSummary);
        System.out.println();
        System.out.print(report);

        Path out = options.outDir();
        Files.createDirectories(out);
        Files.writeString(out.resolve("summary.txt"), report);
        List<Measurement> all = new ArrayList<>(main);
        all.addAll(tracking);
        List<Summary> allSummary = new ArrayList<>(mainSummary);
        allSummary.addAll(trackingSummary);
        CsvReport.writeRounds(out.resolve("rounds.csv"), all);
        CsvReport.writeSummary(out.resolve("summary.csv"), allSummary);
        Charts.write(out, mainSummary, trackingSummary);
        writeHeadline(out, allSummary);
        System.out.println("results written to " + out.toAbsolutePath());
        return ok;
    }

    /**
     * The scenarios of a run. Quick: the small and the 64 KiB file at c16. Full: the small file at c1, c16
     * and c64, 64 KiB at c16, 1 MiB at c4 and 64 KiB of gzip-compressed JSON at c16. The virtual-thread set:
     * see {@link #virtualScenarios()}. {@code --scenarios} picks by name from the set's full list, for profiling one
     * scenario (the mode then only sets the timing).
     */
    static List<Scenario> scenarios(BenchmarkOptions options) {
        List<Scenario> full = options.virtualSet() ? virtualScenarios() : fullScenarios();
        if (!options.scenarios().isEmpty()) {
            List<String> known = full.stream().map(Scenario::name).toList();
            for (String name : options.scenarios()) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("--scenarios: no scenario named '" + name + "'; known: " + known);
                }
            }
            return full.stream().filter((s) -> options.scenarios().contains(s.name())).toList();
        }
        if (options.quick() && !options.virtualSet()) {
            return List.of(Scenario.small(16), Scenario.large(16));
        }
        return full;
    }

    private static List<Scenario> fullScenarios() {
        return List.of(Scenario.small(1), Scenario.small(16), Scenario.small(64), Scenario.large(16),
                Scenario.huge(4), Scenario.gzipJson(16));
    }

    /**
     * The virtual-thread set: the small file at c64 on platform threads ({@code c64-100B-pt}), then at c64 and
     * c256 on virtual threads, all on the JDK 21+ that runs the set.
     */
    static List<Scenario> virtualScenarios() {
        return List.of(Scenario.smallPlatform(64), Scenario.smallVirtual(64), Scenario.smallVirtual(256));
    }

    /**
     * Runs every JVM contender once at c16 on the small file, unrecorded, so that round 1 does not measure
     * the JIT compiling the first client's code path. The virtual-thread set warms up on virtual threads,
     * which also starts the JDK's I/O pollers before any window.
     */
    private static void prewarm(ContenderSet set, Timing timing, Scenario scenario) {
        Timing once = new Timing(Duration.ZERO, timing.warmUp().multipliedBy(2), timing.maxRequests());
        List<Contender> all = new ArrayList<>(set.main());
        all.addAll(set.tracking());
        for (Contender c : all) {
            if (c instanceof RestClientContender) {
                try {
                    c.measure(scenario, once, 0);
                }
                catch (Exception ex) {
                    System.out.printf("prewarm %s failed: %s%n", c.name(), ex);
                }
            }
        }
    }

    private static boolean measure(Contender contender, Scenario scenario, Timing timing, int round,
            List<Measurement> into) {
        try {
            Measurement m = contender.measure(scenario, timing, round);
            into.add(m);
            System.out.printf(Locale.ROOT, "round %d  %-10s %-26s %9.0f req/s %8.1f us cpu/req  p50 %6.0f us  p99 %7.0f us"
                    + "  %6.1f conns/10k  %8.0f B/req  errors %d%n", round, scenario.name(), contender.name(),
                    m.requestsPerSecond(), m.cpuMicrosPerRequest(), m.p50Micros(), m.p99Micros(),
                    m.connectionsPer10k(), m.allocatedBytesPerRequest(), m.errors());
            return m.errors() == 0 && m.requests() > 0;
        }
        catch (Exception ex) {
            System.out.printf("round %d  %-10s %-26s FAILED: %s%n", round, scenario.name(), contender.name(), ex);
            ex.printStackTrace(System.out);
            return false;
        }
    }

    /**
     * Writes {@code headline.md} (see {@link HeadlineTable}) from {@code summaries}, naming the run from the
     * first and third lines of the folder's {@code summary.txt} (date, mode, rounds, JDK; load average).
     */
    static void writeHeadline(Path dir, List<Summary> summaries) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("summary.txt"));
        String run = lines.isEmpty() ? "" : lines.get(0).replaceFirst("^keepalive benchmarks - ", "");
        String load = lines.size() > 2 ? lines.get(2).replaceFirst(";.*$", "") : "";
        Files.writeString(dir.resolve("headline.md"), HeadlineTable.markdown(summaries,
                "Run: " + run + "; " + load + "."));
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (IOException | RuntimeException ex) {
            return "unknown";
        }
    }

    private static String report(BenchmarkOptions options, ContenderSet set, String load, List<Summary> main,
            List<Summary> tracking) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "keepalive benchmarks - %s, %s mode, medians of %d round(s), "
                + "windows of %s after %s warm-up, JDK %s, %d CPUs%n", Instant.now(), options.quick() ? "quick" : "full",
                options.rounds(), options.timing().window(), options.timing().warmUp(), Runtime.version(),
                Runtime.getRuntime().availableProcessors()));
        out.append("x ref = ratio to ").append(REFERENCE).append(" in the same scenario; cpu = client process CPU "
                + "(user+system, all threads); alloc = heap bytes allocated by the client JVM.").append('\n');
        out.append(load).append('\n');
        out.append(set.note()).append("\n\n");
        out.append(new TextTable(REFERENCE).render(main));
        if (!tracking.isEmpty()) {
            out.append("\nLeak-tracking cost (keepalive: body tracking off, then each leak-detection.capture-stack),"
                    + " c16-100B; x ref = ratio to tracking off:\n");
            out.append(new TextTable(ContenderSet.TRACKING_REFERENCE).render(tracking));
        }
        return out.toString();
    }
}
