package dev.keepalive.test;

import java.util.Objects;
import java.util.function.Supplier;

import dev.keepalive.transport.KeepAliveRequestFactory;
import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails each test method that leaves a response body of the given transport open
 * unread, or drops one unclosed, with the same message as in Spring tests (see the package documentation):
 *
 * <pre>{@code
 * static KeepAliveTransport transport = KeepAliveTransport.create(KeepAliveSettings.builder()
 *         .captureStack(StackCapture.ALWAYS).build());
 *
 * @RegisterExtension
 * static KeepAliveLeakCheck leakCheck = KeepAliveLeakCheck.of(transport);
 * }</pre>
 *
 * The check covers the test method itself: it starts after the {@code @BeforeEach} methods and ends before
 * the {@code @AfterEach} methods, so a transport may be created and closed there; use {@link #of(Supplier)}
 * for such a transport (the supplier is called after {@code @BeforeEach}). The opening line is named when
 * the transport records stacks ({@code StackCapture.ALWAYS} is the setting for tests). Honours
 * {@link AllowBodyLeaks} and the system properties {@code keepalive.test.leak-check} and
 * {@code keepalive.test.fail-on-eof-not-closed}.
 */
public final class KeepAliveLeakCheck implements BeforeTestExecutionCallback, AfterTestExecutionCallback {

    private final Supplier<KeepAliveTransport> transport;
    private final boolean failOnEofNotClosed;

    private KeepAliveLeakCheck(Supplier<KeepAliveTransport> transport, boolean failOnEofNotClosed) {
        this.transport = transport;
        this.failOnEofNotClosed = failOnEofNotClosed;
    }

    /** Checks the bodies of {@code transport}. */
    public static KeepAliveLeakCheck of(KeepAliveTransport transport) {
        Objects.requireNonNull(transport, "transport");
        return new KeepAliveLeakCheck(() -> transport, false);
    }

    /** Checks the bodies of the transport behind {@code factory}. */
    public static KeepAliveLeakCheck of(KeepAliveRequestFactory factory) {
        return of(Objects.requireNonNull(factory, "factory").transport());
    }

    /** Checks the bodies of the transport that {@code transport} returns before each test. */
    public static KeepAliveLeakCheck of(Supplier<KeepAliveTransport> transport) {
        return new KeepAliveLeakCheck(Objects.requireNonNull(transport, "transport"), false);
    }

    /**
     * The same check, also failing tests that read a body to the end and never close it (by default a
     * logged warning), whatever {@code keepalive.test.fail-on-eof-not-closed} says.
     */
    public KeepAliveLeakCheck failOnEofNotClosed() {
        return new KeepAliveLeakCheck(this.transport, true);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        CheckOptions options = options();
        if (!options.enabled() || OptOut.find(context.getRequiredTestClass(), context.getTestMethod().orElse(null)) != null) {
            return;
        }
        KeepAliveTransport checked = this.transport.get();
        if (checked == null) {
            throw new IllegalStateException("KeepAliveLeakCheck: the transport supplier returned null; create the"
                    + " transport in @BeforeAll or @BeforeEach");
        }
        store(context).put(this, TestWindow.open(checked));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        TestWindow window = store(context).remove(this, TestWindow.class);
        if (window == null) {
            return;
        }
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        LeakReport report = LeakCheck.end(window, options(), test);
        if (report.failed()) {
            throw new AssertionError(report.failureMessage());
        }
    }

    private CheckOptions options() {
        CheckOptions options = CheckOptions.fromSystemProperties();
        return this.failOnEofNotClosed ? options.withFailOnEofNotClosed(true) : options;
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(ExtensionContext.Namespace.create(KeepAliveLeakCheck.class));
    }
}
