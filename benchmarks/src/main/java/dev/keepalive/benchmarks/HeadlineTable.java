package dev.keepalive.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's headline figures as Markdown: per scenario keepalive's medians beside tuned Apache's, the
 * fastest other Java client and {@code wrk}, then the leak-tracking cost. Written as {@code headline.md} by
 * every run and spliced into the README between its two markers by the full run, so that the README's
 * figures are always those of one run, named under the table.
 */
final class HeadlineTable {

    /** Opens the README's generated part (the rest of that comment line is kept). */
    static final String START = "<!-- benchmark-headline:start";

    /** Closes it. */
    static final String END = "<!-- benchmark-headline:end -->";

    private static final String KEEPALIVE = "keepalive";

    private static final String WRK = "wrk -t1";

    private HeadlineTable() {
    }

    /**
     * The table of {@code all} (main, virtual-thread and tracking medians), followed by {@code madeBy}: which
     * run, when, on which JDK and under which load.
     */
    static String markdown(List<Summary> all, String madeBy) {
        StringBuilder md = new StringBuilder();
        md.append("| scenario | keepalive req/s | x apache-tuned | fastest other client, req/s | keepalive CPU us/req"
                + " | x apache-tuned | wrk -t1 CPU us/req | keepalive alloc B/req | x apache-tuned"
                + " | p50 us, keepalive / apache-tuned | conns opened /10k req |\n");
        md.append("|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
        List<String> scenarios = all.stream().map(Summary::scenario).distinct().toList();
        for (String scenario : scenarios) {
            Summary ours = Summary.find(all, KEEPALIVE, scenario);
            if (ours == null) {
                continue;
            }
            Summary ref = Summary.find(all, BenchmarkMain.REFERENCE, scenario);
            Summary wrk = Summary.find(all, WRK, scenario);
            Summary fastest = null;
            for (Summary s : all) {
                if (s.scenario().equals(scenario) && !s.contender().equals(KEEPALIVE) && !s.contender().equals(WRK)
                        && !s.contender().startsWith(ContenderSet.TRACKING_PREFIX)
                        && (fastest == null || s.requestsPerSecond() > fastest.requestsPerSecond())) {
                    fastest = s;
                }
            }
            md.append("| ").append(scenario)
                    .append(" | ").append(fmt("%.0f", ours.requestsPerSecond()))
                    .append(" | ").append(ratio(ours.requestsPerSecond(), ref == null ? Double.NaN : ref.requestsPerSecond()))
                    .append(" | ").append(fastest == null ? "-" : fastest.contender() + ", " + fmt("%.0f", fastest.requestsPerSecond()))
                    .append(" | ").append(fmt("%.1f", ours.cpuMicrosPerRequest()))
                    .append(" | ").append(ratio(ours.cpuMicrosPerRequest(), ref == null ? Double.NaN : ref.cpuMicrosPerRequest()))
                    .append(" | ").append(wrk == null ? "-" : fmt("%.1f", wrk.cpuMicrosPerRequest()))
                    .append(" | ").append(fmt("%.0f", ours.allocatedBytesPerRequest()))
                    .append(" | ").append(ratio(ours.allocatedBytesPerRequest(),
                            ref == null ? Double.NaN : ref.allocatedBytesPerRequest()))
                    .append(" | ").append(fmt("%.0f", ours.p50Micros())).append(" / ")
                    .append(ref == null ? "-" : fmt("%.0f", ref.p50Micros()))
                    .append(" | ").append(fmt("%.1f", ours.connectionsPer10k()))
                    .append(" |\n");
        }
        List<Summary> tracking = new ArrayList<>();
        for (Summary s : all) {
            if (s.contender().startsWith(ContenderSet.TRACKING_PREFIX)) {
                tracking.add(s);
            }
        }
        Summary off = tracking.stream().filter((s) -> s.contender().equals(ContenderSet.TRACKING_REFERENCE))
                .findFirst().orElse(null);
        if (off != null) {
            md.append("\n| leak tracking (c16-100B) | CPU us/req | x tracking off | alloc B/req | B over tracking off |\n");
            md.append("|---|--:|--:|--:|--:|\n");
            for (Summary s : tracking) {
                md.append("| ").append(s.contender().substring(KEEPALIVE.length() + 1))
                        .append(" | ").append(fmt("%.1f", s.cpuMicrosPerRequest()))
                        .append(" | ").append(ratio(s.cpuMicrosPerRequest(), off.cpuMicrosPerRequest()))
                        .append(" | ").append(fmt("%.0f", s.allocatedBytesPerRequest()))
                        .append(" | ").append(fmt("%+.0f", s.allocatedBytesPerRequest() - off.allocatedBytesPerRequest()))
                        .append(" |\n");
            }
        }
        md.append('\n').append(madeBy.strip()).append('\n');
        return md.toString();
    }

    /**
     * {@code readme} with the part between {@link #START} and {@link #END} replaced by {@code table}.
     *
     * @throws IllegalArgumentException when the README lacks the markers
     */
    static String splice(String readme, String table) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("the README has no " + START + " ... " + END + " markers");
        }
        int afterStart = readme.indexOf('\n', start) + 1;
        return readme.substring(0, afterStart) + table + readme.substring(end);
    }

    private static String ratio(double value, double reference) {
        return Double.isNaN(value) || Double.isNaN(reference) || reference == 0 ? "-"
                : String.format(Locale.ROOT, "%.2f", value / reference);
    }

    private static String fmt(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }
}
