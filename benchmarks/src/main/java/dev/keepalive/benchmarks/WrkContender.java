package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling: {@code wrk -t1} with one connection per caller of the scenario, run through {@code bash} so
 * that the shell's {@code times} builtin reports wrk's own CPU time (user + system). Latency percentiles
 * come from {@code --latency}; wrk has no allocation figure ({@code NaN}) and no warm-up, so its
 * connections-opened figure leaves out the one connection per caller that it opens at start.
 */
public final class WrkContender implements Contender {

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern CHILD_TIMES = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$");

    private final String wrk;
    private final String baseUri;
    private final ServerConnections server;

    /**
     * @param wrk the wrk executable
     * @param baseUri the server, e.g. {@code http://127.0.0.1:8080}
     * @param server the server's accepted-connections counter
     */
    public WrkContender(String wrk, String baseUri, ServerConnections server) {
        this.wrk = wrk;
        this.baseUri = baseUri;
        this.server = server;
    }

    @Override
    public String name() {
        return "wrk -t1";
    }

    @Override
    public Measurement measure(Scenario scenario, Timing timing, int round) throws Exception {
        long seconds = Math.max(1, Math.round(timing.window().toMillis() / 1000.0));
        String command = "\"$0\" -t1 -c" + scenario.concurrency() + " -d" + seconds + "s --latency \"$1\"; times";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command, this.wrk, this.baseUri + scenario.path())
                .redirectErrorStream(true);
        long acceptedBefore = this.server.accepted();
        Process process = builder.start();
        String output;
        try {
            if (!process.waitFor(seconds + 30, TimeUnit.SECONDS)) {
                throw new IOException("wrk did not finish within " + (seconds + 30) + " s");
            }
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        finally {
            process.destroyForcibly();
        }
        // wrk has no warm-up: its first connection per caller is its warm-up, the rest would be churn.
        long accepted = Math.max(0, this.server.acceptedSince(acceptedBefore) - scenario.concurrency());
        return parse(output, scenario, round, accepted);
    }

    /** Reads wrk's report followed by the shell's {@code times} lines. */
    Measurement parse(String output, Scenario scenario, int round, long accepted) {
        Matcher rate = RATE.matcher(output);
        Matcher total = TOTAL.matcher(output);
        if (!rate.find() || !total.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + output);
        }
        long requests = Long.parseLong(total.group(1));
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (Matcher m = PERCENTILE.matcher(output); m.find();) {
            double micros = toMicros(Double.parseDouble(m.group(2)), m.group(3));
            if (m.group(1).equals("50")) {
                p50 = micros;
            }
            else {
                p99 = micros;
            }
        }
        List<String> lines = output.lines().toList();
        Matcher times = CHILD_TIMES.matcher(lines.get(lines.size() - 1));
        double cpuMicros = Double.NaN;
        if (times.find()) {
            cpuMicros = (Long.parseLong(times.group(1)) * 60 + Double.parseDouble(times.group(2))
                    + Long.parseLong(times.group(3)) * 60 + Double.parseDouble(times.group(4))) * 1e6;
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        double perRequest = requests == 0 ? Double.NaN : 1.0 / requests;
        return new Measurement(name(), scenario.name(), round, requests, errors, Double.parseDouble(rate.group(1)),
                cpuMicros * perRequest, p50, p99, accepted * 10_000.0 * perRequest, Double.NaN);
    }

    private static double toMicros(double value, String unit) {
        return switch (unit) {
            case "us" -> value;
            case "ms" -> value * 1_000;
            default -> value * 1_000_000;
        };
    }
}
