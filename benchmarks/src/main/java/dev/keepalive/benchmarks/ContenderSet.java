package dev.keepalive.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.keepalive.transport.StackCapture;

/**
 * The contenders of one run, in run order: the main comparison and the leak-tracking variants, filtered
 * by {@code --clients}.
 *
 * @param main the main comparison, every scenario
 * @param tracking keepalive with each {@code capture-stack} setting, one scenario
 * @param note a line that says what was left out and why
 */
public record ContenderSet(List<Contender> main, List<Contender> tracking, String note) {

    /** The label prefix of the leak-tracking variants. */
    public static final String TRACKING_PREFIX = "keepalive tracking=";

    /** The leak-tracking variant the others are compared with: body tracking switched off. */
    public static final String TRACKING_REFERENCE = TRACKING_PREFIX + "off";

    /** Builds the contenders for {@code options}. */
    public static ContenderSet create(BenchmarkOptions options, LoadDriver driver, URI base, ServerConnections server) {
        List<Contender> main = new ArrayList<>();
        List<Contender> tracking = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        main.add(new RestClientContender("keepalive", () -> KeepAliveFactories.open(null), driver, base, true));
        main.add(new RestClientContender("apache-defaults", SpringFactories::apacheDefaults, driver, base, true));
        main.add(new RestClientContender(BenchmarkMain.REFERENCE, SpringFactories::apacheTuned, driver, base, true));
        main.add(new RestClientContender("jdk-http1.1", SpringFactories::jdkHttp11, driver, base, false));
        main.add(new RestClientContender("simple", SpringFactories::simple, driver, base, false));
        main.add(new RestClientContender("jetty", SpringFactories::jetty, driver, base, true));
        main.add(new RestClientContender("reactor-netty", SpringFactories::reactor, driver, base, false));
        if (options.wrk() != null) {
            main.add(new WrkContender(options.wrk(), options.baseUrl(), server));
        }
        else {
            notes.add("wrk left out: no --wrk given");
        }
        tracking.add(new RestClientContender(TRACKING_REFERENCE, KeepAliveFactories::openUntracked, driver, base, true));
        for (StackCapture capture : StackCapture.values()) {
            tracking.add(new RestClientContender(TRACKING_PREFIX + capture.name().toLowerCase(Locale.ROOT),
                    () -> KeepAliveFactories.open(capture), driver, base, true));
        }
        List<String> only = options.clients();
        if (!only.isEmpty()) {
            main.removeIf((c) -> !only.contains(c.name()));
            tracking.removeIf((c) -> !only.contains(c.name()) && !only.contains("tracking"));
        }
        return new ContenderSet(List.copyOf(main), List.copyOf(tracking), String.join("; ", notes));
    }
}
