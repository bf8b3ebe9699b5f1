package dev.keepalive.test;

import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The run-wide switches of the leak check, read from one property lookup: Spring's {@code Environment} in
 * a Spring test (which includes the system properties), else the system properties. The properties are
 * documented in the package documentation; this class is the only place that reads them.
 *
 * @param enabled {@code keepalive.test.leak-check}: {@code on} (default) or {@code off}
 * @param failOnEofNotClosed {@code keepalive.test.fail-on-eof-not-closed}: a body read to EOF and never
 *        closed fails the test instead of logging a warning
 * @param collectionWait how long the check waits, after asking for a garbage collection, for bodies still
 *        open at the end of a test to be found dropped
 */
record CheckOptions(boolean enabled, boolean failOnEofNotClosed, Duration collectionWait) {

    static final String LEAK_CHECK = "keepalive.test.leak-check";
    static final String FAIL_ON_EOF_NOT_CLOSED = "keepalive.test.fail-on-eof-not-closed";
    static final Duration COLLECTION_WAIT = Duration.ofSeconds(2);

    /** Reads the options through {@code properties} (a property name to its value, or null when unset). */
    static CheckOptions from(UnaryOperator<String> properties) {
        return new CheckOptions(onOff(LEAK_CHECK, properties.apply(LEAK_CHECK)),
                bool(FAIL_ON_EOF_NOT_CLOSED, properties.apply(FAIL_ON_EOF_NOT_CLOSED)), COLLECTION_WAIT);
    }

    /** The options of a test without Spring: the system properties. */
    static CheckOptions fromSystemProperties() {
        return from(System::getProperty);
    }

    CheckOptions withFailOnEofNotClosed(boolean value) {
        return new CheckOptions(this.enabled, value, this.collectionWait);
    }

    private static boolean onOff(String name, String value) {
        if (value == null || value.isBlank()) {
            return true;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be 'on' or 'off', not '" + value + "'");
        };
    }

    private static boolean bool(String name, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be 'true' or 'false', not '" + value + "'");
        };
    }
}
