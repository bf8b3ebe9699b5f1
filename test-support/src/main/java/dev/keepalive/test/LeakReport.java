package dev.keepalive.test;

import java.util.List;

import dev.keepalive.transport.BodySnapshot;

/**
 * What the leak check found at the end of a test, and the one place that words it. The failure message is
 * the product: for each body its method, redacted URI, how it ended, how long it was open, bytes read, the
 * opening application line and the stack down to the test; then what to do, and nothing else.
 *
 * @param failures bodies that fail the test
 * @param warnings bodies worth a warning only
 * @param overlapped whether another test ran on the same transport during this one
 * @param unwatchedLeaks leaks the transport counted before this check listened to it (assertions only)
 * @param scope how the message names where the bodies came from, such as "opened by this test"
 * @param hintOptOut whether the message may point at {@link AllowBodyLeaks} (not for explicit assertions)
 */
record LeakReport(List<Finding> failures, List<Finding> warnings, boolean overlapped, long unwatchedLeaks,
        String scope, boolean hintOptOut) {

    /** Frames shown under the opening line; a server thread's stack is long and says little more. */
    private static final int MAX_FRAMES = 12;

    /** Where a test runner's frames begin: what lies below says nothing about the application. */
    private static final String[] RUNNER_PREFIXES = { "jdk.internal.reflect.", "java.lang.reflect.", "org.junit.",
            "org.apache.maven.surefire.", "org.gradle.", "worker.org.gradle.", "com.intellij.", "org.eclipse.jdt." };

    private static final String WHAT_TO_DO = "Read each body to the end or close it: close a ClientHttpResponse with"
            + " try-with-resources; with RestClient use retrieve() (.body(..), .toEntity(..)) or exchange(function),"
            + " which close the response, not exchange(function, false); with RestTemplate use the methods that"
            + " convert the body, or execute(.., extractor).";

    /** How a body ended up, worded for the message. */
    enum Kind {
        LEAKED("leaked: dropped without being read to the end or closed; the garbage collector found it"),
        OPEN("open: neither read to the end nor closed"),
        HELD_OPEN("left open: neither read to the end nor closed, and still referenced after a garbage collection"),
        EOF_DROPPED("read to the end but never closed, then dropped (its connection went back at EOF)"),
        EOF_OPEN("read to the end but not closed yet (its connection went back at EOF)");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    /** One body and how it ended. */
    record Finding(Kind kind, BodySnapshot body) {
    }

    boolean failed() {
        return !this.failures.isEmpty() || this.unwatchedLeaks > 0;
    }

    String failureMessage() {
        long count = this.failures.size() + this.unwatchedLeaks;
        StringBuilder sb = new StringBuilder();
        sb.append(count).append(count == 1 ? " response body " : " response bodies ").append(this.scope)
                .append(count == 1 ? " was" : " were").append(" not closed:\n");
        this.failures.forEach((finding) -> describe(sb, finding));
        if (this.unwatchedLeaks > 0) {
            sb.append("\n  ").append(this.unwatchedLeaks).append(this.unwatchedLeaks == 1 ? " body" : " bodies")
                    .append(" leaked before keepalive-test listened to this transport; the transport logged each at")
                    .append(" ERROR with its line.\n");
        }
        if (this.overlapped) {
            sb.append("\nAnother test ran on this transport at the same time; some of these bodies may be its.\n");
        }
        sb.append('\n').append(openFailuresHoldConnections() ? "Each one held a pooled connection. " : "")
                .append(WHAT_TO_DO);
        if (this.hintOptOut) {
            sb.append(" A test that leaks on purpose: @AllowBodyLeaks(reason = \"...\").");
        }
        return sb.toString();
    }

    String warningMessage(String test) {
        int count = this.warnings.size();
        StringBuilder sb = new StringBuilder();
        sb.append(count).append(count == 1 ? " response body " : " response bodies ").append(this.scope)
                .append(test != null ? " (" + test + ")" : "").append(count == 1 ? " was" : " were")
                .append(" not closed; nothing leaked, but close them:\n");
        this.warnings.forEach((finding) -> describe(sb, finding));
        if (this.overlapped) {
            sb.append("\nAnother test ran on this transport at the same time; bodies left open may be its, so they"
                    + " are reported here instead of failing this test.\n");
        }
        sb.append('\n').append(WHAT_TO_DO).append(" Set ").append(CheckOptions.FAIL_ON_EOF_NOT_CLOSED)
                .append("=true to fail such tests.");
        return sb.toString();
    }

    private boolean openFailuresHoldConnections() {
        return this.unwatchedLeaks > 0 || this.failures.stream()
                .anyMatch((f) -> f.kind() == Kind.LEAKED || f.kind() == Kind.OPEN || f.kind() == Kind.HELD_OPEN);
    }

    private static void describe(StringBuilder sb, Finding finding) {
        BodySnapshot body = finding.body();
        sb.append("\n  ").append(body.method()).append(' ').append(body.uri()).append("  (body #").append(body.id())
                .append(")\n    ").append(finding.kind().text).append("\n    open ").append(body.ageMillis())
                .append(" ms, ").append(body.bytesRead());
        if (body.contentLength() >= 0) {
            sb.append(" of ").append(body.contentLength());
        }
        sb.append(" bytes read\n    opened at ").append(body.openedAt());
        List<String> stack = body.stack();
        if (stack == null) {
            sb.append(" (the transport did not record the opening stack: set its capture-stack to always)\n");
            return;
        }
        sb.append('\n');
        int shown = 0;
        for (int i = 1; i < stack.size() && !isRunner(stack.get(i)); i++) {
            if (shown == MAX_FRAMES) {
                sb.append("        ...\n");
                break;
            }
            sb.append("        at ").append(stack.get(i)).append('\n');
            shown++;
        }
    }

    /** A frame of the test runner; a frame's text may start with its module ("java.base/..."). */
    private static boolean isRunner(String frame) {
        int paren = frame.indexOf('(');
        int slash = frame.lastIndexOf('/', paren < 0 ? frame.length() : paren);
        String name = frame.substring(slash + 1);
        for (String prefix : RUNNER_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
