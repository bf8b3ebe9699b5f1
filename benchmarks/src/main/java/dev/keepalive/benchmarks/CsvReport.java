package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes the per-round measurements and the medians as CSV files (comma-separated, '.' decimals, empty = n/a). */
public final class CsvReport {

    private static final String FIGURES = "requests_per_second,cpu_us_per_request,p50_us,p99_us,"
            + "connections_per_10k_requests,allocated_bytes_per_request";

    private CsvReport() {
    }

    /** Writes one line per contender, scenario and round. */
    public static void writeRounds(Path file, List<Measurement> rounds) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("client,scenario,round,requests,errors," + FIGURES);
        for (Measurement m : rounds) {
            lines.add(String.join(",", quote(m.contender()), m.scenario(), Integer.toString(m.round()),
                    Long.toString(m.requests()), Long.toString(m.errors()), num(m.requestsPerSecond()),
                    num(m.cpuMicrosPerRequest()), num(m.p50Micros()), num(m.p99Micros()), num(m.connectionsPer10k()),
                    num(m.allocatedBytesPerRequest())));
        }
        Files.write(file, lines);
    }

    /** Writes one line of medians per contender and scenario. */
    public static void writeSummary(Path file, List<Summary> summaries) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("client,scenario,rounds,errors," + FIGURES);
        for (Summary s : summaries) {
            lines.add(String.join(",", quote(s.contender()), s.scenario(), Integer.toString(s.rounds()),
                    Long.toString(s.errors()), num(s.requestsPerSecond()), num(s.cpuMicrosPerRequest()),
                    num(s.p50Micros()), num(s.p99Micros()), num(s.connectionsPer10k()),
                    num(s.allocatedBytesPerRequest())));
        }
        Files.write(file, lines);
    }

    /** Reads a file written by {@link #writeSummary(Path, List)} back (client names without commas or quotes). */
    public static List<Summary> readSummary(Path file) throws IOException {
        List<Summary> summaries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            summaries.add(new Summary(f[0], f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), parse(f[4]),
                    parse(f[5]), parse(f[6]), parse(f[7]), parse(f[8]), parse(f[9])));
        }
        return summaries;
    }

    /** Reads a file written by {@link #writeRounds(Path, List)} back (client names without commas or quotes). */
    public static List<Measurement> readRounds(Path file) throws IOException {
        List<Measurement> rounds = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            rounds.add(new Measurement(f[0], f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    parse(f[5]), parse(f[6]), parse(f[7]), parse(f[8]), parse(f[9]), parse(f[10])));
        }
        return rounds;
    }

    private static double parse(String value) {
        return value.isEmpty() ? Double.NaN : Double.parseDouble(value);
    }

    private static String num(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String quote(String text) {
        return (text.contains(",") || text.contains("\"")) ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
