package dev.keepalive.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The summaries as a fixed-width text table, one row per contender and scenario, with the ratios of
 * throughput and CPU per request to a reference contender (tuned Apache) in the same scenario.
 */
public final class TextTable {

    private static final String[] HEADERS = { "client", "scenario", "req/s", "x ref", "cpu us/req", "x ref",
            "p50 us", "p99 us", "conns/10k", "alloc B/req", "errors", "rounds" };

    private final String reference;

    /** @param reference the contender the "x ref" columns divide by */
    public TextTable(String reference) {
        this.reference = reference;
    }

    /** Renders the table, scenario by scenario. */
    public String render(List<Summary> summaries) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        List<String> scenarios = summaries.stream().map(Summary::scenario).distinct().toList();
        for (String scenario : scenarios) {
            Summary ref = Summary.find(summaries, this.reference, scenario);
            for (Summary s : summaries) {
                if (!s.scenario().equals(scenario)) {
                    continue;
                }
                rows.add(new String[] { s.contender(), s.scenario(), fmt("%.0f", s.requestsPerSecond()),
                        ratio(s.requestsPerSecond(), ref == null ? Double.NaN : ref.requestsPerSecond()),
                        fmt("%.1f", s.cpuMicrosPerRequest()),
                        ratio(s.cpuMicrosPerRequest(), ref == null ? Double.NaN : ref.cpuMicrosPerRequest()),
                        fmt("%.0f", s.p50Micros()), fmt("%.0f", s.p99Micros()), fmt("%.1f", s.connectionsPer10k()),
                        fmt("%.0f", s.allocatedBytesPerRequest()), Long.toString(s.errors()),
                        Integer.toString(s.rounds()) });
            }
        }
        return layout(rows);
    }

    private static String layout(List<String[]> rows) {
        int[] width = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                String cell = (i < 2) ? pad(row[i], width[i], false) : pad(row[i], width[i], true);
                out.append(cell).append(i + 1 < row.length ? "  " : "");
            }
            out.append(System.lineSeparator());
            if (r == 0) {
                out.append("-".repeat(out.length() - System.lineSeparator().length() - 1)).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private static String pad(String text, int width, boolean right) {
        String fill = " ".repeat(width - text.length());
        return right ? fill + text : text + fill;
    }

    static String fmt(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }

    private static String ratio(double value, double reference) {
        return (Double.isNaN(value) || Double.isNaN(reference) || reference == 0) ? "-"
                : String.format(Locale.ROOT, "%.2f", value / reference);
    }
}
