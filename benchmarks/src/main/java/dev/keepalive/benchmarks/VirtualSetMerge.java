package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Folds the virtual-thread set, which runs in its own JVM (a JDK 21+) and writes its own folder, into the full
 * run's results: its rows join {@code summary.csv} and {@code rounds.csv}, its table and pinning count are
 * appended to {@code summary.txt}, and every chart and {@code headline.md} is redrawn from the merged
 * medians. Merging again replaces the rows and the table of the previous merge instead of adding a second copy.
 */
final class VirtualSetMerge {

    /** The heading that starts the appended part of {@code summary.txt}. */
    static final String HEADING = "== Virtual-thread set ==";

    private VirtualSetMerge() {
    }

    /** Merges {@code virtualDir} (written with {@code --virtual-threads}) into {@code mainDir}. */
    static void merge(Path mainDir, Path virtualDir) throws IOException {
        Set<String> virtual = BenchmarkMain.virtualScenarios().stream().map(Scenario::name).collect(Collectors.toSet());

        List<Summary> summaries = new ArrayList<>(CsvReport.readSummary(mainDir.resolve("summary.csv")));
        summaries.removeIf((s) -> virtual.contains(s.scenario()));
        summaries.addAll(CsvReport.readSummary(virtualDir.resolve("summary.csv")));
        CsvReport.writeSummary(mainDir.resolve("summary.csv"), summaries);

        List<Measurement> rounds = new ArrayList<>(CsvReport.readRounds(mainDir.resolve("rounds.csv")));
        rounds.removeIf((m) -> virtual.contains(m.scenario()));
        rounds.addAll(CsvReport.readRounds(virtualDir.resolve("rounds.csv")));
        CsvReport.writeRounds(mainDir.resolve("rounds.csv"), rounds);

        Path text = mainDir.resolve("summary.txt");
        String report = Files.readString(text);
        int previous = report.indexOf(HEADING);
        if (previous >= 0) {
            report = report.substring(0, previous);
        }
        StringBuilder out = new StringBuilder(report);
        if (!report.endsWith("\n\n")) {
            out.append('\n');
        }
        out.append(HEADING).append(" (its own JVM; from ").append(virtualDir.getFileName()).append("/)\n");
        out.append(Files.readString(virtualDir.resolve("summary.txt")));
        Path pinning = virtualDir.resolve("pinning.txt");
        if (Files.exists(pinning)) {
            out.append('\n').append(Files.readString(pinning));
        }
        Files.writeString(text, out);

        Charts.write(mainDir, summaries);
        BenchmarkMain.writeHeadline(mainDir, summaries);
    }
}
